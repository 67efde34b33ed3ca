"""The DynamoDB API calls the storage class makes: the IAM policy is built from this.

Kept import-free so the template code can read it without importing boto3.
"""

DYNAMODB_ACTIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan")
# On a collection's global secondary indexes (their exact ARNs), for GET <path>?<field>=.
INDEX_ACTIONS = ("Query",)
