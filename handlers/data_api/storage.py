"""Placeholder replaced below."""
DYNAMODB_ACTIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan")
