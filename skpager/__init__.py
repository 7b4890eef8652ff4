"""skpager: PAGER image generation with scikit-learn estimators.

PAGER (progressive attribute-guided extendable robust image generation) learns
an image distribution without neural networks: a Saab transform, Gaussian
mixtures, and locally linear embedding, stage by stage from low to high
resolution.
"""

from ._attribute import AttributeGuidedGenerator
from ._booster import QualityBooster
from ._conditional import ConditionalEnhancer
from ._core import GMMCoreGenerator
from ._enhancer import ResolutionEnhancer
from ._exemplar import ExemplarEnhancer
from ._local_core import LocalPCACoreGenerator
from ._matcher import HistogramMatcher
from ._novelty import LikelihoodNoveltyDetector
from ._pager import PAGER
from ._persist import load_model, save_model
from ._recipes import make_refined_pager
from ._refiner import SubspaceRefiner
from ._resampler import DensityRatioResampler
from ._saab import SaabTransformer

__version__ = "0.1.0.dev0"

__all__ = [
    "PAGER",
    "AttributeGuidedGenerator",
    "ConditionalEnhancer",
    "DensityRatioResampler",
    "ExemplarEnhancer",
    "GMMCoreGenerator",
    "HistogramMatcher",
    "LikelihoodNoveltyDetector",
    "LocalPCACoreGenerator",
    "QualityBooster",
    "ResolutionEnhancer",
    "SaabTransformer",
    "SubspaceRefiner",
    "__version__",
    "load_model",
    "make_refined_pager",
    "save_model",
]
