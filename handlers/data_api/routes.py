"""The API's routes: path template -> allowed methods (OPTIONS included).

Single source for the handler's router and for the API Gateway resources and
methods in the template.
"""

COLLECTION = "/data"
ITEM = "/data/{id}"

ROUTES: dict[str, tuple[str, ...]] = {
    COLLECTION: ("GET", "POST", "OPTIONS"),
    ITEM: ("GET", "PUT", "DELETE", "OPTIONS"),
}
