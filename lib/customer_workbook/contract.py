"""The data contract: which tables the workbook reads and what each column means.

Users bring their own exports; a column map (see :func:`customer_workbook.data.load_dataset`)
renames their columns to the names below. Only the columns listed here are ever loaded, so
personal fields such as names, e-mail or postal addresses never enter an analysis or a report.

Column kinds
------------
``id``        text identifier (loaded as a pandas categorical of the stripped text; ``customer_id`` shares
              one sorted set of categories across tables)
``date``      calendar date or timestamp (ISO 8601 recommended)
``float``     real number
``int``       whole number (missing values allowed only where the column is optional)
``bool``      true/false, 1/0, yes/no
``category``  short text label from a small set
``text``      free text
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CAMPAIGNS", "CUSTOMERS", "ENGAGEMENT", "ENGAGEMENT_EVENTS", "MARKET", "MARKETING", "PRODUCTS",
    "PRODUCT_TIERS", "PROSPECTS", "REASONS", "SATISFACTION_ITEMS", "SURVEYS", "TABLES", "TRANSACTIONS",
    "Column", "TableSpec", "contract_markdown",
]

#: The ten reasons a customer chooses a product or service (methodology, step 1).
REASONS: tuple[str, ...] = (
    "innovation",
    "personalisation",
    "lack_of_alternatives",
    "sympathy",
    "marketing_packaging",
    "unique_features",
    "fast_brand",
    "pricing",
    "social_proof",
    "bandwagon",
)

#: Satisfaction dimensions customers judge a firm by (methodology, step 2), scored 1-5.
SATISFACTION_ITEMS: tuple[str, ...] = ("location", "parking", "service", "pricing", "speed", "quality")

#: Engagement events that show advocacy and adoption.
ENGAGEMENT_EVENTS: tuple[str, ...] = ("review", "referral", "community_post", "app_session")

#: Product-line hierarchy tiers, from entry level to special service.
PRODUCT_TIERS: tuple[str, ...] = ("entry", "core", "premium", "special_service")


@dataclass(frozen=True)
class Column:
    """One contract column: its name, kind, whether it must be present, and its meaning."""

    name: str
    kind: str
    required: bool = True
    description: str = ""
    allowed: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """One contract table: columns, unique key (if any) and what the table enables."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _opt(name: str, kind: str, description: str, **kw) -> Column:
    return Column(name, kind, required=False, description=description, **kw)


TRANSACTIONS = TableSpec(
    "transactions",
    (
        Column("customer_id", "id", description="Who bought."),
        Column("date", "date", description="When the order was placed."),
        Column("amount", "float", description="Net revenue of the line, in currency units; "
               "returns and refunds are negative lines."),
        _opt("order_id", "id", "Order the line belongs to; derived from customer and timestamp when absent."),
        _opt("product_id", "id", "What was bought (joins to `products`)."),
        _opt("quantity", "int", "Units on the line."),
        _opt("channel", "category", "Sales channel of the order (store, web, app, ...)."),
        _opt("discount", "float", "Discount on the line as a fraction of list price (0 = full price).", low=0, high=1),
        _opt("delivery_days", "float", "Days from order to delivery or pick-up (speed of service).", low=0),
    ),
    description="Required. One row per order line. Enough on its own for RFM, cohorts, CLV and churn.",
)

CUSTOMERS = TableSpec(
    "customers",
    (
        Column("customer_id", "id", description="Customer identifier."),
        _opt("signup_date", "date", "When the customer was acquired."),
        _opt("acquisition_channel", "category", "Marketing channel that brought the customer."),
        _opt("region", "category", "Region, also used as the business unit filter."),
        _opt("age", "int", "Age in years.", low=14, high=110),
        _opt("gender", "category", "Self-reported gender."),
        _opt("income_band", "category", "Household income band (low / middle / high)."),
    ),
    key=("customer_id",),
    description="Optional. Enables acquisition-channel economics, demographics of personas and region filters.",
)

PRODUCTS = TableSpec(
    "products",
    (
        Column("product_id", "id", description="Product identifier."),
        _opt("category", "category", "Product category (product line)."),
        _opt("tier", "category", "Place in the product-line hierarchy.", allowed=PRODUCT_TIERS),
        _opt("launch_date", "date", "When the product was launched (for innovation uptake)."),
        _opt("list_price", "float", "List price per unit, in currency units.", low=0),
        _opt("exclusive", "bool", "Only we sell it (unique features)."),
    ),
    key=("product_id",),
    description="Optional. Enables cross-sell, innovation uptake, product hierarchy and next-best offers.",
)

SURVEYS = TableSpec(
    "surveys",
    (
        Column("customer_id", "id", description="Respondent."),
        Column("date", "date", description="When the survey was answered."),
        _opt("nps", "int", "Likelihood to recommend, 0-10.", low=0, high=10),
        *(_opt(f"sat_{item}", "int", f"Satisfaction with {item}, 1-5.", low=1, high=5)
          for item in SATISFACTION_ITEMS),
        _opt("primary_reason", "category", "The main reason the customer chooses us.", allowed=REASONS),
        *(_opt(f"why_{reason}", "int", f"Agreement that '{reason}' is why they buy from us, 1-5.", low=1, high=5)
          for reason in REASONS),
    ),
    key=("customer_id", "date"),
    description="Optional. Enables reasons to choose, NPS and satisfaction change detection.",
)

MARKETING = TableSpec(
    "marketing",
    (
        Column("week", "date", description="First day of the week."),
        Column("channel", "category", description="Acquisition channel."),
        Column("spend", "float", description="Acquisition spend that week, in currency units.", low=0),
        Column("new_customers", "int", description="New customers the channel brought that week.", low=0),
    ),
    key=("week", "channel"),
    description="Optional. Enables acquisition cost, spend response curves and budget optimisation.",
)

MARKET = TableSpec(
    "market",
    (
        Column("week", "date", description="First day of the week."),
        _opt("competitor_price_index", "float", "Competitors' prices relative to ours (1.0 = equal).", low=0),
        _opt("competitor_event", "text", "What a competitor did that week, if anything."),
        _opt("channel_launch", "text", "A channel or medium launched that week, if any."),
    ),
    key=("week",),
    description="Optional. Links detected changes to market events.",
)

ENGAGEMENT = TableSpec(
    "engagement",
    (
        Column("customer_id", "id", description="Who engaged."),
        Column("date", "date", description="When."),
        Column("event", "category", description="What they did.", allowed=ENGAGEMENT_EVENTS),
        _opt("rating", "int", "Star rating of a review, 1-5.", low=1, high=5),
    ),
    description="Optional. Enables the advocacy pyramid, health scores and power users.",
)

CAMPAIGNS = TableSpec(
    "campaigns",
    (
        Column("customer_id", "id", description="Customer in the campaign's test population."),
        Column("campaign", "id", description="Campaign identifier."),
        Column("send_date", "date", description="When the treatment was (or would have been) sent."),
        Column("treated", "bool", description="Randomised assignment: true = received the offer."),
        Column("outcome", "int", description="1 if the customer bought within the campaign window.", low=0, high=1),
    ),
    key=("customer_id", "campaign"),
    description="Optional. Enables uplift modelling (closing the back door) and retention cost.",
)

PROSPECTS = TableSpec(
    "prospects",
    (
        Column("prospect_id", "id", description="Lead identifier (never a customer id)."),
        _opt("first_seen", "date", "When the lead first appeared."),
        _opt("source", "category", "Where the lead came from."),
        _opt("region", "category", "Region."),
        _opt("age", "int", "Age in years.", low=14, high=110),
        _opt("income_band", "category", "Household income band."),
        _opt("has_need", "bool", "The lead needs what we sell (blank = not known)."),
        _opt("can_pay", "bool", "The lead can afford it (blank = not known)."),
        _opt("top_need", "category", "The lead's most important must-have need.", allowed=SATISFACTION_ITEMS),
    ),
    key=("prospect_id",),
    description="Optional. Enables the non-customer analysis (prospective, rejected, unexplored).",
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (TRANSACTIONS, CUSTOMERS, PRODUCTS, SURVEYS, MARKETING, MARKET, ENGAGEMENT, CAMPAIGNS, PROSPECTS)
}


def contract_markdown() -> str:
    """Render the contract as a Markdown table per table (used by the README and the overview notebook)."""
    lines: list[str] = []
    for spec in TABLES.values():
        lines += [f"### `{spec.name}`", "", spec.description, ""]
        if spec.key:
            lines += [f"Unique key: {', '.join(f'`{k}`' for k in spec.key)}", ""]
        lines += ["| column | kind | required | meaning |", "|---|---|---|---|"]
        for col in spec.columns:
            lines.append(f"| `{col.name}` | {col.kind} | {'yes' if col.required else 'no'} | {col.description} |")
        lines.append("")
    return "\n".join(lines)
