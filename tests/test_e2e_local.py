"""End to end: local AWS, `sceptre launch -y dev` through the CLI, the local API over HTTP.

Runs on a copy of the project (config/, templates/, handlers/) so that changing a
handler file for the relaunch check never touches the working tree.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import boto3
import jwt
import pytest

import data_api.handler as handler
from data_api_stack import project as project_stacks
from lambda_artifact.build import build_artifact
from localdev import tokens
from localdev.apiserver import HandlerLoader, LocalApi, serve
from localdev.authorizer import build_authorizers
from localdev.localaws import LOCALAWS_PYTHON, LocalAws, free_port
from localdev.stack import LaunchedStack, read_stack
from localdev.throttle import Throttle
from tests.helpers import ENVIRONMENTS, REGION, copy_project, edit, offline_env, sceptre

pytestmark = pytest.mark.e2e
API_STACK = "serverless-data-api-dev-api"
ARTIFACT_STACK = "serverless-data-api-dev-artifacts"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    aws = LocalAws(REGION, log_path=tmp_path_factory.mktemp("logs") / "localaws.log")
    with aws:
        yield aws


@pytest.fixture(scope="module")
def clients(local_aws: LocalAws) -> dict[str, Any]:
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                    region_name=REGION)
    return {name: session.client(name, endpoint_url=local_aws.endpoint)
            for name in ("cloudformation", "dynamodb", "lambda", "apigateway", "s3", "wafv2")}


def _environment_copy(root: Path, env: str) -> Path:
    """A project copy with one more environment, `env`, a copy of dev's folder: named
    after its folder, it has its own stack and physical names, so a test may break or
    delete it without touching dev."""
    project = copy_project(root)
    shutil.copytree(project / "config" / "dev", project / "config" / env)
    return project


def _rest_api_id(clients: dict[str, Any], env: str) -> str:
    return next(a["id"] for a in clients["apigateway"].get_rest_apis()["items"]
                if a["name"] == f"serverless-data-{env}-api")


def _launch(project: Path, aws: LocalAws, *args: str) -> str:
    result = sceptre("launch", "-y", *args, cwd=project, env=aws.env(offline_env()))
    return result.stdout + result.stderr


def _code_sha(clients: dict[str, Any]) -> str:
    return clients["lambda"].get_function(
        FunctionName="serverless-data-dev-api")["Configuration"]["CodeSha256"]


def _deployed_key(clients: dict[str, Any]) -> str:
    body = clients["cloudformation"].get_template(StackName=API_STACK)["TemplateBody"]
    template = body if isinstance(body, dict) else json.loads(body.lstrip("-\n"))
    return template["Resources"]["ApiFunction"]["Properties"]["Code"]["S3Key"]


class Http:
    def __init__(self, base: str, token: str = "") -> None:
        self.base = base
        self.token = token  # sent as "Authorization: Bearer <token>" unless overridden

    def as_(self, token: str) -> "Http":
        return Http(self.base, token)

    def __call__(self, method: str, path: str, body: Any = None,
                 headers: Optional[dict[str, str]] = None) -> tuple[int, Any, Any]:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if data else {}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={**all_headers, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, reply_headers, raw = reply.status, reply.headers, reply.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, raw = error.code, error.headers, error.read()
        return status, reply_headers, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def launched(project: Path, local_aws: LocalAws, clients: dict[str, Any]) -> str:
    return _launch(project, local_aws, "dev")


@pytest.fixture(scope="module")
def http(launched: str, local_aws: LocalAws) -> Iterator[Http]:
    saved = dict(os.environ)
    os.environ.update(local_aws.env())
    try:
        with serving(read_stack(API_STACK, REGION), local_aws) as http:
            yield http
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def serving(stack: LaunchedStack, local_aws: LocalAws) -> Iterator[Http]:
    """The local API of a launched stack over HTTP, with a writer's token and local users.

    The handler keeps one DynamoDB client per process (handler.dynamodb): it is dropped
    before and after, so this local AWS gets its own and later modules theirs."""
    handler._client = None
    callers = tokens.create_local_users(local_aws.endpoint, stack.outputs)
    authorizers = build_authorizers(stack.template, stack.physical_ids, local_aws.endpoint)
    server = serve(LocalApi(stack.template, stack.function_env, HandlerLoader(),
                            log=lambda line: None, authorizers=authorizers),
                   "127.0.0.1", free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        http = Http(f"http://127.0.0.1:{server.server_port}/dev",
                    tokens.token_for(callers, "writer"))
        http.callers = callers  # type: ignore[attr-defined]
        yield http
    finally:
        server.shutdown()
        server.server_close()
        handler._client = None


def test_packaging_fault_stops_the_launch_before_cloudformation(tmp_path, local_aws, clients):
    broken = _environment_copy(tmp_path, "broken")
    # The hooks every environment's api stack takes, in this copy of the project only.
    edit(broken / "config" / "config.yaml", "!package_lambda handlers", "!package_lambda nope")
    result = sceptre("launch", "-y", "broken", cwd=broken, env=local_aws.env(offline_env()),
                     check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "!package_lambda: source folder" in output and "does not exist" in output
    assert "Traceback" not in output
    names = {s["StackName"] for s in clients["cloudformation"].describe_stacks()["Stacks"]}
    assert "serverless-data-api-broken-api" not in names, \
        "CloudFormation must not have been called for the API"


def test_launch_creates_both_stacks_in_order_with_the_artifact(launched, clients, project):
    assert launched.index("dev/artifacts") < launched.index("dev/api")
    assert "Uploaded s3://" in launched
    stacks = {s["StackName"]: s for s in clients["cloudformation"].describe_stacks()["Stacks"]}
    assert stacks[ARTIFACT_STACK]["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    # Created, or updated by the relaunch test if that ran first.
    assert stacks[API_STACK]["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[API_STACK]["Outputs"]}
    assert outputs["LambdaFunctionArn"].endswith(":function:serverless-data-dev-api")
    assert outputs["TableName"] == "serverless-data-dev-items"
    # The API template went through the artifacts bucket (template_bucket_name).
    bucket = {o["OutputKey"]: o["OutputValue"] for o in stacks[ARTIFACT_STACK]["Outputs"]}
    keys = [o["Key"] for o in clients["s3"].list_objects_v2(
        Bucket=bucket["BucketName"], Prefix="templates/")["Contents"]]
    assert any("api" in key for key in keys), keys
    api_id = _rest_api_id(clients, "dev")
    assert outputs["ApiUrl"].startswith(f"https://{api_id}.execute-api.{REGION}.")


def test_created_resources_match_the_template(launched, clients, project):
    table = clients["dynamodb"].describe_table(TableName="serverless-data-dev-items")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    function = clients["lambda"].get_function(FunctionName="serverless-data-dev-api")
    assert function["Configuration"]["Runtime"] == "python3.14"
    artifact = build_artifact(project / "handlers")
    assert _deployed_key(clients) == artifact.key
    assert _code_sha(clients) == base64.b64encode(hashlib.sha256(artifact.data).digest()).decode()
    api_id = _rest_api_id(clients, "dev")
    routes = {r["path"]: set(r.get("resourceMethods", {}))
              for r in clients["apigateway"].get_resources(restApiId=api_id)["items"]}
    assert routes["/data"] == {"GET", "POST", "OPTIONS", "ANY"}
    assert routes["/data/{id}"] == {"GET", "PUT", "DELETE", "OPTIONS", "ANY"}
    assert routes["/{proxy+}"] == routes["/"] == {"ANY"}


def test_validate_and_diff_work_against_the_endpoint(launched, project, local_aws):
    env = local_aws.env(offline_env())
    validated = sceptre("validate", "dev/api.yaml", cwd=project, env=env)
    assert "Parameters" in validated.stdout or "Description" in validated.stdout
    sceptre("diff", "dev/api.yaml", cwd=project, env=env)


def test_crud_over_http(http):
    status, headers, item = http("POST", "/data", {"id": "e2e", "data": {"n": 0.1}})
    assert status == 201 and headers["Location"] == "/dev/data/e2e"
    first = headers["ETag"]
    assert first == f'"{item["version"]}"'
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert http("GET", "/data/e2e")[2]["data"] == {"n": 0.1}
    status, headers, item = http("PUT", "/data/e2e", {"data": 2}, {"If-Match": first})
    assert status == 200 and headers["ETag"] == f'"{item["version"]}"' != first
    assert http("PUT", "/data/e2e", {"data": 3}, {"If-Match": first})[0] == 412
    status, _, page = http("GET", "/data?limit=10")
    assert status == 200 and [i["id"] for i in page["items"]] == ["e2e"]
    assert http("POST", "/data", {"id": "e2e", "data": 1})[0] == 409
    assert http("DELETE", "/data/e2e")[0] == 204
    status, headers, error = http("GET", "/data/e2e")
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_idempotency_key_over_http(http):
    """README "Retries without doubles", on the launched stack's own records table."""
    key = {"Idempotency-Key": '"e2e-1"'}
    first = http("POST", "/data", {"data": {"n": 1}}, key)
    again = http("POST", "/data", {"data": {"n": 1}}, key)
    assert first[0] == again[0] == 201 and again[2] == first[2]
    for name in ("ETag", "Location"):
        assert again[1][name] == first[1][name]
    assert again[1]["Idempotent-Replayed"] == "true"
    other = http("POST", "/data", {"data": {"n": 2}}, key)
    assert other[0] == 422 and other[2]["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    plain = [http("POST", "/data", {"data": "no key"})[2]["id"] for _ in range(2)]
    assert len(set(plain)) == 2
    created = [first[2]["id"], *plain]
    for round_ in range(3):
        def post(_: int) -> tuple[int, Any, Any]:
            # The stage's throttle (429) turns some away before the function: a client
            # retries those too, with the same key.
            for _try in range(50):
                reply = http("POST", "/data", {"data": round_},
                             {"Idempotency-Key": f"e2e-round-{round_}"})
                if reply[0] != 429:
                    return reply
                time.sleep(0.1)
            return reply

        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(post, range(16)))
        assert {status for status, _, _ in replies} == {201}, replies
        assert len({body["id"] for _, _, body in replies}) == 1
        assert sum(headers.get("Idempotent-Replayed") != "true"
                   for _, headers, _ in replies) == 1
        created.append(replies[0][2]["id"])
    assert len(set(created)) == 6  # one item per key, one per POST without a key
    # Leave the table and the stage's throttle (a bucket per method, the module's) as
    # found, for whichever test runs next.
    assert all(http("DELETE", f"/data/{item}")[0] == 204 for item in created)
    limit = Throttle.from_template(read_stack(API_STACK, REGION).template).limit_for("/data", "POST")
    assert limit is not None
    time.sleep(limit.burst / limit.rate + 0.5)


def test_pages_follow_next_over_http(http):
    created = {f"page-{n}" for n in range(3)}
    for item_id in created:
        assert http("POST", "/data", {"id": item_id, "data": 1})[0] == 201
    seen: list[str] = []
    query = "limit=1"
    while True:
        status, _, page = http("GET", f"/data?{query}")
        assert status == 200 and page["count"] == len(page["items"]) <= 1
        seen += [i["id"] for i in page["items"]]
        if "next" not in page:
            break
        query = f"limit=1&next={page['next']}"
    assert created <= set(seen) and len(seen) == len(set(seen))
    status, headers, body = http("GET", "/data?next=a%20b")
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST_PARAMETERS"
    assert headers["Access-Control-Allow-Origin"] == "*"
    for item_id in created:
        assert http("DELETE", f"/data/{item_id}")[0] == 204


def test_launched_models_validate_requests_before_the_function(http):
    # moto skips AWS::ApiGateway::Model and RequestValidator; the local API reads them
    # from the launched template (get_template) and answers as API Gateway would.
    status, headers, body = http("POST", "/data", {"id": "v", "data": 1, "extra": True})
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST_BODY"
    assert "extra" in body["error"]["message"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert http("GET", "/data/v")[0] == 404  # the function never stored it


def test_preflight_and_gateway_404_carry_cors(http):
    status, headers, _ = http.as_("")("OPTIONS", "/data/x",
                                      headers={"Origin": "https://a.example.com"})
    assert status == 204  # no token: preflights are never authorized
    assert headers["Access-Control-Allow-Methods"] == "GET,PUT,DELETE,OPTIONS"
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = http("GET", "/no/such/route")
    assert status == 404 and body["error"]["code"] == "NOT_FOUND"
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = http("PATCH", "/data/x", {"data": 1})
    assert status == 405 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Allow"] == "GET, PUT, DELETE, OPTIONS"
    assert body["error"]["code"] == "METHOD_NOT_ALLOWED"


def _moto_signed(payload: dict[str, Any]) -> str:
    """A token signed with the key moto signs every pool's tokens with (shipped in moto)."""
    (path,) = LOCALAWS_PYTHON.parent.parent.glob(
        "lib/python3*/site-packages/moto/cognitoidp/resources/jwks-private.json*")
    data = path.read_bytes()
    key = jwt.PyJWK.from_json(gzip.decompress(data) if path.suffix == ".gz" else data)
    return jwt.encode(payload, key.key, algorithm="RS256", headers={"kid": "dummy"})


def test_no_token_is_401_with_cors_and_the_json_shape(http):
    for method, path in (("GET", "/data"), ("POST", "/data"), ("DELETE", "/data/x")):
        status, headers, body = http.as_("")(method, path, {"data": 1} if method == "POST"
                                             else None)
        assert status == 401 and body == {"error": {"code": "UNAUTHORIZED",
                                                    "message": "Unauthorized"}}, method
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert headers["WWW-Authenticate"] == "Bearer"


def test_reader_reads_and_is_refused_writes(http):
    assert http("POST", "/data", {"id": "r1", "data": 1})[0] == 201
    reader = http.as_(tokens.token_for(http.callers, "reader"))  # type: ignore[attr-defined]
    assert reader("GET", "/data/r1")[0] == 200 and reader("GET", "/data")[0] == 200
    for method, path, body in (("POST", "/data", {"data": 1}), ("PUT", "/data/r1", {"data": 2}),
                               ("DELETE", "/data/r1", None)):
        status, headers, error = reader(method, path, body)
        assert status == 403 and error["error"]["code"] == "ACCESS_DENIED", method
        assert headers["Access-Control-Allow-Origin"] == "*"
    assert http("DELETE", "/data/r1")[0] == 204


def test_tampered_expired_and_foreign_pool_tokens_are_401(http, clients, local_aws):
    good = http.token
    header, body, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps(
        {**claims, "cognito:groups": ["admins"]}).encode()).decode().rstrip("=")
    expired = _moto_signed({**claims, "exp": int(time.time()) - 60})
    cognito = boto3.client("cognito-idp", region_name=REGION, endpoint_url=local_aws.endpoint,
                           aws_access_key_id="local", aws_secret_access_key="local")
    other = cognito.create_user_pool(PoolName="someone-elses")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=other, ClientName="x")
    cognito.admin_create_user(UserPoolId=other, Username="eve", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=other, Username="eve", Password="Aa1!aaaaaaaaaaaa",
                                    Permanent=True)
    foreign = cognito.admin_initiate_auth(
        UserPoolId=other, ClientId=client["UserPoolClient"]["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eve", "PASSWORD": "Aa1!aaaaaaaaaaaa"},
    )["AuthenticationResult"]["AccessToken"]
    assert _moto_signed(claims) and http.as_(_moto_signed(claims))("GET", "/data")[0] == 200
    for name, token in (("tampered", f"{header}.{forged}.{signature}"), ("expired", expired),
                        ("foreign pool", foreign)):
        status, headers, error = http.as_(token)("GET", "/data")
        assert status == 401 and error["error"]["code"] == "UNAUTHORIZED", name
        assert headers["Access-Control-Allow-Origin"] == "*"


def test_changed_handler_relaunch_updates_code_unchanged_does_not(http, project, local_aws,
                                                                  clients):
    key_before, sha_before = _deployed_key(clients), _code_sha(clients)
    routes_file = project / "handlers" / "data_api" / "routes.py"
    routes_file.write_text(routes_file.read_text() + "\n# changed for the relaunch test\n")
    _launch(project, local_aws, "dev")
    key_after, sha_after = _deployed_key(clients), _code_sha(clients)
    assert key_after != key_before and sha_after != sha_before
    assert key_after == build_artifact(project / "handlers").key
    output = _launch(project, local_aws, "dev")
    # Unchanged code: no upload, the same key in the template, the same code deployed.
    # (AWS also answers "No updates"; moto re-applies the stack when a parameter
    # with a default is not passed, so that part is not asserted here.)
    assert "already present" in output and "Uploaded" not in output
    assert (_deployed_key(clients), _code_sha(clients)) == (key_after, sha_after)


@pytest.fixture(scope="module")
def prod_api_id(project: Path, local_aws: LocalAws, clients: dict[str, Any]) -> str:
    """`sceptre launch -y prod` into the local AWS; the prod REST API's id."""
    _launch(project, local_aws, "prod")
    return _rest_api_id(clients, "prod")


def test_prod_launches_with_its_snapstart_alias(prod_api_id, clients):
    api_id = prod_api_id
    aliases = clients["lambda"].list_aliases(FunctionName="serverless-data-prod-api")["Aliases"]
    assert [(a["Name"], a["FunctionVersion"]) for a in aliases] == [("live", "1")]
    resource = next(r for r in clients["apigateway"].get_resources(restApiId=api_id)["items"]
                    if r["path"] == "/data")
    uri = clients["apigateway"].get_integration(restApiId=api_id, resourceId=resource["id"],
                                                httpMethod="GET")["uri"]
    assert uri.endswith(f"{aliases[0]['AliasArn']}/invocations")


def test_list_outputs_prints_the_launched_stacks_outputs(prod_api_id, project, local_aws):
    """README's `sceptre --output json list outputs prod/api.yaml`."""
    result = sceptre("--output", "json", "list", "outputs", "prod/api.yaml", cwd=project,
                     env=local_aws.env(offline_env()))
    printed = json.loads(result.stdout)
    outputs = {o["OutputKey"]: o["OutputValue"] for stack in printed for o in
               next(iter(stack.values()))}
    assert outputs["ApiUrl"].startswith(f"https://{prod_api_id}.execute-api.{REGION}."), printed
    assert outputs["TableName"] == "serverless-data-prod-items"


def test_prod_stage_has_its_web_acl(prod_api_id, clients):
    stage_arn = f"arn:aws:apigateway:{REGION}::/restapis/{prod_api_id}/stages/prod"
    acl = clients["wafv2"].get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]
    assert acl["Name"] == "serverless-data-prod-api"
    assert [r["Name"] for r in acl["Rules"]] == ["RateLimitPerIp", "AWSManagedRulesCommonRuleSet",
                                                 "AWSManagedRulesKnownBadInputsRuleSet"]
    assert acl["Rules"][0]["Statement"]["RateBasedStatement"]["Limit"] == 3000


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_of_config_launches(env, project, local_aws, clients, request):
    """Each folder of config/ launches on the local AWS as `sceptre launch <env>` (dev and
    prod through the module's fixtures): both stacks, under the names Sceptre gives them,
    and the environment's own stage."""
    if env == "dev":
        request.getfixturevalue("launched")
    elif env == "prod":
        request.getfixturevalue("prod_api_id")
    else:
        _launch(project, local_aws, env)
    found = {}
    for stack in ("artifacts", "api"):
        name = project_stacks.stack(project, env, stack).name
        found[stack] = clients["cloudformation"].describe_stacks(StackName=name)["Stacks"][0]
        assert found[stack]["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), name
        assert {"Key": "Environment", "Value": env} in found[stack]["Tags"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found["api"]["Outputs"]}
    assert outputs["TableName"] == f"serverless-data-{env}-items"
    assert _rest_api_id(clients, env)


def test_account_stack_launches(project, local_aws, clients):
    _launch(project, local_aws, "account")
    stack = clients["cloudformation"].describe_stacks(
        StackName="serverless-data-api-account-apigateway-logging")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert any(o["OutputKey"] == "CloudWatchRoleArn" for o in stack["Outputs"])


def test_a_kept_environment_is_protected_and_refuses_sceptre_delete(tmp_path, local_aws,
                                                                    clients):
    """`retain_data: true` (a copy of prod): after launch, the stack policy and termination
    protection are on, and `sceptre delete` is refused until protection is lifted.

    What moto honours: it stores the stack policy (GetStackPolicy) but never enforces it on
    an update; UpdateTerminationProtection, and DeleteStack refusing a protected stack,
    come from the local AWS's shim (localdev.shim_termination_protection), as AWS does."""
    from stack_protection.policy import stack_policy

    project = copy_project(tmp_path)
    shutil.copytree(project / "config" / "prod", project / "config" / "vault")
    _launch(project, local_aws, "vault")
    name, cloudformation = "serverless-data-api-vault-api", clients["cloudformation"]
    policy = cloudformation.get_stack_policy(StackName=name)["StackPolicyBody"]
    assert json.loads(policy) == stack_policy()
    assert cloudformation.describe_stacks(StackName=name)["Stacks"][0][
        "EnableTerminationProtection"] is True
    env = local_aws.env(offline_env())
    # README's one-launch override: the update runs under it, the full policy is back after.
    relaunch = sceptre("launch", "-y", "vault/api.yaml", cwd=project,
                       env={**env, "DATA_API_UNPROTECT": "DataTable"})
    assert "DATA_API_UNPROTECT=DataTable: this update may replace or remove DataTable" in \
        relaunch.stdout + relaunch.stderr
    assert json.loads(cloudformation.get_stack_policy(StackName=name)["StackPolicyBody"]) == \
        stack_policy()
    refused = sceptre("delete", "-y", "vault", cwd=project, env=env, check=False)
    assert refused.returncode == 1
    assert "termination protection is on" in refused.stdout + refused.stderr
    assert "update-termination-protection" in refused.stdout + refused.stderr
    for stack in (name, "serverless-data-api-vault-artifacts"):  # nothing deleted
        assert cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] in (
            "CREATE_COMPLETE", "UPDATE_COMPLETE")
    cloudformation.update_termination_protection(StackName=name,
                                                 EnableTerminationProtection=False)
    sceptre("delete", "-y", "vault/api.yaml", cwd=project, env=env)
    assert all(s["StackStatus"] == "DELETE_COMPLETE"
               for s in cloudformation.describe_stacks()["Stacks"] if s["StackName"] == name)


def test_delete_removes_the_stacks(tmp_path, local_aws, clients):
    scratch = _environment_copy(tmp_path, "scratch")
    _launch(scratch, local_aws, "scratch")
    names = {"serverless-data-api-scratch-api", "serverless-data-api-scratch-artifacts"}

    def live() -> set[str]:
        return {s["StackName"] for s in clients["cloudformation"].describe_stacks()["Stacks"]
                if s["StackStatus"] != "DELETE_COMPLETE"}

    assert names <= live()
    sceptre("delete", "-y", "scratch", cwd=scratch, env=local_aws.env(offline_env()))
    assert not names & live()
