"""Logical IDs: constants, identical in every environment.

Tests, the local API server and the dashboard all find resources by these names,
so renaming one is a single edit here (and a resource replacement in AWS).
"""

ARTIFACT_BUCKET_PARAM = "ArtifactBucket"

TABLE = "DataTable"  # the default collection's; another's is <Name>Table (collection.py)
IDEMPOTENCY_TABLE = "IdempotencyTable"  # every collection's Idempotency-Key records
FUNCTION = "ApiFunction"
FUNCTION_ROLE = "ApiFunctionRole"
FUNCTION_LOG_GROUP = "ApiFunctionLogGroup"
FUNCTION_VERSION_PREFIX = "ApiFunctionVersion"  # + hash of the function definition
FUNCTION_ALIAS = "ApiFunctionLiveAlias"
ACCESS_LOG_GROUP = "ApiAccessLogGroup"

# Gradual releases (deploy_strategy other than AllAtOnce): CodeDeploy and its hook.
CODEDEPLOY_APPLICATION = "ReleaseApplication"
DEPLOYMENT_GROUP = "ReleaseDeploymentGroup"
CODEDEPLOY_ROLE = "ReleaseCodeDeployRole"
PRETRAFFIC_HOOK = "PreTrafficCheckFunction"
PRETRAFFIC_HOOK_ROLE = "PreTrafficCheckRole"
PRETRAFFIC_HOOK_LOG_GROUP = "PreTrafficCheckLogGroup"

REST_API = "RestApi"
# The default collection's resources; another's are <Name>Resource, <Name>ItemResource.
DATA_RESOURCE = "DataResource"
ITEM_RESOURCE = "DataItemResource"
CATCH_ALL_RESOURCE = "CatchAllResource"  # /{proxy+}: every path no route matches
CATCH_ALL_METHOD = "CatchAllAnyMethod"
ROOT_METHOD = "RootAnyMethod"
MODEL_SUFFIX = "Model"  # after the contract's model name: NewItemModel
BODY_VALIDATOR = "RequestBodyValidator"
PARAMETERS_VALIDATOR = "RequestParametersValidator"
DEPLOYMENT_PREFIX = "Deployment"  # + hash of the API definition
STAGE = "ApiStage"
API_INVOKE_PERMISSION = "ApiInvokePermission"  # the stage may invoke the function
WEB_ACL = "ApiWebAcl"
WEB_ACL_ASSOCIATION = "ApiWebAclAssociation"

OUTPUT_FUNCTION_ARN = "LambdaFunctionArn"
OUTPUT_API_URL = "ApiUrl"
OUTPUT_TABLE_NAME = "TableName"
OUTPUT_DASHBOARD_URL = "DashboardUrl"

# Access control (auth.py, cognito.py, iam_auth.py)
AUTHORIZER = "CognitoAuthorizer"
USER_POOL = "UserPool"
USER_POOL_DOMAIN = "UserPoolDomain"
RESOURCE_SERVER = "UserPoolResourceServer"
READERS_GROUP = "ReadersGroup"
WRITERS_GROUP = "WritersGroup"
BROWSER_CLIENT = "BrowserClient"
MACHINE_CLIENT = "MachineClient"
READER_POLICY = "ReaderPolicy"
WRITER_POLICY = "WriterPolicy"
OUTPUT_USER_POOL_ID = "UserPoolId"
OUTPUT_ISSUER = "TokenIssuer"
OUTPUT_TOKEN_ENDPOINT = "TokenEndpoint"
OUTPUT_BROWSER_CLIENT_ID = "BrowserClientId"
OUTPUT_MACHINE_CLIENT_ID = "MachineClientId"
OUTPUT_READERS_GROUP = "ReadersGroupName"
OUTPUT_WRITERS_GROUP = "WritersGroupName"
