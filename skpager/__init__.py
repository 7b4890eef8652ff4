"""skpager: PAGER image generation with scikit-learn estimators.

PAGER (progressive attribute-guided extendable robust image generation) learns
an image distribution without neural networks: a Saab transform, Gaussian
mixtures, and locally linear embedding, stage by stage from low to high
resolution.
"""

from .attribute import AttributeGuidedGenerator
from .booster import QualityBooster
from .core import GMMCoreGenerator
from .enhancer import ResolutionEnhancer
from .pager import PAGER
from .saab import SaabTransformer

__version__ = "0.1.0.dev0"

__all__ = [
    "PAGER",
    "AttributeGuidedGenerator",
    "GMMCoreGenerator",
    "QualityBooster",
    "ResolutionEnhancer",
    "SaabTransformer",
    "__version__",
]
