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

Constrained columns
-------------------
Some columns accept only a fixed set of values (``Column.allowed``): engagement events, product tiers,
reasons, the prospects' top need and the order status. A few also accept other spellings
(``Column.aliases``, matched ignoring case) and a parameter of :func:`customer_workbook.data.load_dataset`
that maps the user's own values onto the allowed ones (``Column.map_parameter``: ``event_map``,
``status_map``). Numbers may have a range (``low``/``high``). :func:`contract_markdown` prints all of it.

Order status
------------
``transactions.status`` is optional. Each value is one of three classes (:data:`STATUS_CLASSES`):

- ``sale``: completed, complete, paid, shipped, delivered, fulfilled (a blank status is a sale too);
- ``cancelled``: cancelled, canceled, void, voided. The loader removes these lines and counts them (rows,
  share, example file lines) in the quality report: a cancelled order never happened;
- ``return``: returned, refunded. Returns follow the rule for negative lines: a *negative* line is already a
  return and is kept as it is; a *positive* line marked returned is the sale that was sent back, so the
  loader adds the matching negative line (same order, product, customer and timestamp, amount and quantity
  negated) and the quality report says how many. The order then nets to what the customer kept. If your
  export already lists each refund as its own negative line, map the status of the original lines to
  ``sale`` with ``status_map``, or the refund would be counted twice.

Any other value stops the loader with the values found and their lines; ``status_map`` maps them, e.g.
``{"storniert": "cancelled", "versandt": "sale"}``.

Without revenue
---------------
``transactions.amount`` is optional. Without it every line counts as one purchase (``amount`` = 1.0) and
:attr:`customer_workbook.data.Dataset.value_unit` is ``"purchases"`` instead of ``"currency units"``: the
value analyses then count purchases, and the quality report says so.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CAMPAIGNS", "CUSTOMERS", "ENGAGEMENT", "ENGAGEMENT_EVENTS", "MARKET", "MARKETING", "ORDER_STATUSES",
    "PRODUCTS", "PRODUCT_TIERS", "PROSPECTS", "REASONS", "SATISFACTION_ITEMS", "STATUS_CLASSES", "SURVEYS",
    "TABLES", "TRANSACTIONS", "VALUE_UNITS", "Column", "TableSpec", "allowed_values_text", "contract_markdown",
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

#: The classes of an order status: a sale, a cancelled order (removed) or a return (nets the sale out).
STATUS_CLASSES: tuple[str, ...] = ("sale", "cancelled", "return")

#: Order status values the loader accepts (matched ignoring case) and the class each stands for.
ORDER_STATUSES: dict[str, str] = {
    "sale": "sale", "completed": "sale", "complete": "sale", "paid": "sale", "shipped": "sale",
    "delivered": "sale", "fulfilled": "sale",
    "cancelled": "cancelled", "canceled": "cancelled", "void": "cancelled", "voided": "cancelled",
    "return": "return", "returned": "return", "refunded": "return",
}

#: What ``amount`` measures: money when the data have a revenue column, else one purchase per line.
VALUE_UNITS: tuple[str, ...] = ("currency units", "purchases")


@dataclass(frozen=True)
class Column:
    """One contract column: its name, kind, whether it must be present, and its meaning.

    ``allowed``: the only values the column may hold; ``aliases``: other spellings accepted for them
    (``(spelling, allowed value)`` pairs, matched ignoring case); ``map_parameter``: the parameter of
    ``load_dataset`` that maps a user's own values onto the allowed ones; ``low``/``high``: the range of a
    number; ``complete``: an optional column that, when present, needs a value on every row.
    """

    name: str
    kind: str
    required: bool = True
    description: str = ""
    allowed: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    map_parameter: str | None = None
    complete: bool = False

    @property
    def blanks_allowed(self) -> bool:
        """True when rows may leave this column empty (optional columns that are not ``complete``)."""
        return not self.required and not self.complete


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
        _opt("amount", "float", "Net revenue of the line, in currency units; returns and refunds are negative "
             "lines. Without this column every line counts as one purchase and the value analyses count "
             "purchases.", complete=True),
        _opt("order_id", "id", "Order the line belongs to; derived from customer and timestamp when absent."),
        _opt("product_id", "id", "What was bought (joins to `products`)."),
        _opt("quantity", "int", "Units on the line."),
        _opt("channel", "category", "Sales channel of the order (store, web, app, ...)."),
        _opt("discount", "float", "Discount on the line as a fraction of list price (0 = full price).", low=0, high=1),
        _opt("delivery_days", "float", "Days from order to delivery or pick-up (speed of service).", low=0),
        _opt("status", "category", "Order status: cancelled lines are left out (and counted); a positive line "
             "marked returned gets its matching negative line; blank = a sale.", allowed=STATUS_CLASSES,
             aliases=tuple((k, v) for k, v in ORDER_STATUSES.items() if k != v), map_parameter="status_map"),
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
        Column("event", "category", description="What they did.", allowed=ENGAGEMENT_EVENTS,
               map_parameter="event_map"),
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
        Column("outcome", "int", description="1 if the customer bought within the campaign window (conversion).",
               low=0, high=1),
        _opt("arm", "category", "Which treatment a treated customer received, for a test with several arms "
             "(e.g. `mens_email`, `womens_email`); any short label. Untreated customers are the control whatever "
             "this says (leave it blank or write `control`); a treated row left blank is arm `treated`. Without "
             "this column all treated customers form one arm."),
        _opt("visited", "int", "1 if the customer visited (site or store) within the campaign window.", low=0, high=1,
             complete=True),
        _opt("spend", "float", "What the customer spent within the campaign window, in currency units (0 without "
             "a purchase); compared as spend per customer.", low=0, complete=True),
    ),
    key=("customer_id", "campaign"),
    description="Optional. Enables uplift modelling (closing the back door) and retention cost. With `arm`, "
                "`visited` or `spend`, each arm's lift against the control is read for each outcome.",
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


def allowed_values_text(col: Column) -> str:
    """What a column accepts beyond its kind, as Markdown: allowed values (with their other accepted
    spellings and the parameter that maps a user's own values), a number range, or true/false words."""
    if col.allowed is not None:
        spellings: dict[str, list[str]] = {value: [] for value in col.allowed}
        for spelling, value in col.aliases:
            spellings[value].append(spelling)
        parts = [f"`{v}`" + (f" (also {', '.join(f'`{a}`' for a in spellings[v])})" if spellings[v] else "")
                 for v in col.allowed]
        text = "; ".join(parts) if col.aliases else "one of " + ", ".join(parts)
        if col.aliases:
            text += "; case ignored"
        if col.map_parameter:
            text += f". Other values: map them with `{col.map_parameter}`"
        return text
    if col.low is not None and col.high is not None:
        return f"{col.low:g} to {col.high:g}"
    if col.low is not None:
        return f"at least {col.low:g}"
    if col.high is not None:
        return f"at most {col.high:g}"
    if col.kind == "bool":
        return "true/false, yes/no, 1/0"
    return ""


def _required_text(col: Column) -> str:
    if col.required:
        return "yes"
    return "no (if present, in every row)" if col.complete else "no"


def contract_markdown() -> str:
    """Render the contract as a Markdown table per table (used by the README and the overview notebook):
    every column's kind, whether it is required, its allowed values or range, and its meaning."""
    lines: list[str] = []
    for spec in TABLES.values():
        lines += [f"### `{spec.name}`", "", spec.description, ""]
        if spec.key:
            lines += [f"Unique key: {', '.join(f'`{k}`' for k in spec.key)}", ""]
        lines += ["| column | kind | required | allowed values | meaning |", "|---|---|---|---|---|"]
        for col in spec.columns:
            lines.append(f"| `{col.name}` | {col.kind} | {_required_text(col)} | {allowed_values_text(col)} "
                         f"| {col.description} |")
        lines.append("")
    return "\n".join(lines)
