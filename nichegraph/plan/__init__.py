"""Campaign planning: objectives, exclusions, advocates, a budgeted pick and an action plan."""

from .actions import ACTIONS, ADVOCATE_DAYS, ROLES, campaign_roles
from .bots import BOT_MIN_RULES, BOT_RULES, bot_rules
from .coverage import Coverage, audience_csr, coverage_stats, max_coverage, quota_pick
from .exclusions import EXCLUSION_RULES, exclusions, parse_max_reach, resolve_handles
from .measures import LogRows, campaign_measures, log_rows
from .objectives import METRICS, OBJECTIVES, PICK, objective_weights
from .planner import check_plan_options, plan
from .result import PLAN_COLUMNS, PLAN_FILES, Plan
from .targeting import SEGMENT_COLUMNS, segment_table

__all__ = [
    "ACTIONS",
    "ADVOCATE_DAYS",
    "BOT_MIN_RULES",
    "BOT_RULES",
    "EXCLUSION_RULES",
    "METRICS",
    "OBJECTIVES",
    "PICK",
    "PLAN_COLUMNS",
    "PLAN_FILES",
    "ROLES",
    "SEGMENT_COLUMNS",
    "Coverage",
    "LogRows",
    "Plan",
    "audience_csr",
    "bot_rules",
    "campaign_measures",
    "campaign_roles",
    "check_plan_options",
    "coverage_stats",
    "exclusions",
    "log_rows",
    "max_coverage",
    "objective_weights",
    "parse_max_reach",
    "plan",
    "quota_pick",
    "resolve_handles",
    "segment_table",
]
