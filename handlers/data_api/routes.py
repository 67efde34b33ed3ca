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

# What a client is told for a path that is not a route: by the handler and by API
# Gateway's own (MISSING_AUTHENTICATION_TOKEN) response in the template alike.
UNKNOWN_ROUTE_MESSAGE = f"no route for this path; try {COLLECTION} or {ITEM}"

# Access control (README "Access control"): readers may call the read methods, writers
# every method; OPTIONS (CORS preflight) is never authorized.
READ_METHODS = ("GET",)
WRITE_METHODS = ("POST", "PUT", "DELETE")
