"""Statistics shared by every step of the method: one home for each test, interval and design rule.

- :mod:`.intervals`: the Wilson interval of a proportion.
- :mod:`.testing`: multiple-testing corrections (Holm for a few planned comparisons, Benjamini-Hochberg
  for many screening tests).
- :mod:`.experiments`: randomised tests of two proportions: the measured uplift with its standard
  error, interval and p-value, and the sample size or minimum detectable effect of a planned test.
- :mod:`.separation`: whether the best of several options is clearly the best (separated from the
  runner-up, or from every other, at a stated false-alarm rate), and the errors it needs.
- :mod:`.classifiers`: the gate a fitted classifier passes before it is used (enough data, better than
  guessing on held-out data).
"""
from .classifiers import (MIN_CLASS, MIN_ROC_AUC, MIN_SKILL, ClassifierCheck, check_classifier, class_counts,
                          enough_classes)
from .experiments import (MeanDifference, SampleSize, Uplift, minimum_detectable_effect, sample_size_two_proportions,
                          two_proportion_uplift, welch_mean_difference)
from .intervals import wilson_interval
from .separation import (LEADER_ALPHA, SEPARATION_ALPHA, Leader, Separation, clustered_proportion,
                         difference_p_values, paired_total_difference, se_from_draws, separate_runner_up, separate_top,
                         share_leader, tied_with_top)
from .testing import benjamini_hochberg, holm, two_proportion_p_value

__all__ = ["MIN_CLASS", "MIN_ROC_AUC", "MIN_SKILL", "ClassifierCheck", "SampleSize", "check_classifier",
           "class_counts", "enough_classes", "Uplift", "benjamini_hochberg", "holm", "minimum_detectable_effect",
           "sample_size_two_proportions", "two_proportion_p_value", "two_proportion_uplift",
           "wilson_interval", "MeanDifference", "welch_mean_difference"]
__all__ += ["SEPARATION_ALPHA", "Separation", "clustered_proportion", "difference_p_values",
            "paired_total_difference", "separate_top", "tied_with_top",
           "LEADER_ALPHA", "Leader", "se_from_draws", "separate_runner_up", "share_leader"]
