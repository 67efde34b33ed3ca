"""The DynamoDB API calls the storage class makes: the IAM policy is built from this.

Kept import-free so the template code can read it without importing boto3.
"""

DYNAMODB_ACTIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan")
# On a collection's global secondary indexes (their exact ARNs), for GET <path>?<field>=.
INDEX_ACTIONS = ("Query",)
# API operations with no IAM action of their own: a transaction's Put needs PutItem on its
# table (DynamoDB Developer Guide, "Using IAM with DynamoDB transactions"). A POST with
# an Idempotency-Key writes its item this way (data_api.records).
TRANSACTION_OPERATIONS = ("TransactWriteItems",)
# On the stack's idempotency table (data_api.records): a record is written in the item's
# transaction (TransactWriteItems needs each Put's own PutItem) and read back for a retry.
IDEMPOTENCY_ACTIONS = ("PutItem", "GetItem")
