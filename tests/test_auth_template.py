"""Access control in the rendered templates: dev and prod (cognito), iam, none."""

from __future__ import annotations

import json
import re

import pytest

from data_api import authz, routes
from data_api_stack import ConfigError, build_template, ids, parse_config
from data_api_stack.api import method_id
from tests.helpers import PROJECT, arn_like, resources_of_type, settings

CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"
POOL_ARN = "arn:aws:cognito-idp:us-west-2:111122223333:userpool/us-west-2_AbCdEf123"
DATA_METHODS = [(path, verb) for path, verbs in routes.ROUTES.items() for verb in verbs
                if verb != "OPTIONS"]


def render(**user_data) -> dict:
    cfg = parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY, **user_data})
    return json.loads(build_template(cfg).to_json())


@pytest.fixture(scope="module")
def iam_template() -> dict:
    return render(auth="iam", iam_account_ids=["111122223333", "444455556666"])


def _methods(template: dict) -> dict[str, dict]:
    """Every method but the gateway's own ANY MOCKs (404/405, no data, no integration)."""
    return {props["HttpMethod"] + " " + name: props
            for name, res in resources_of_type(template, "AWS::ApiGateway::Method").items()
            for props in [res["Properties"]]
            if not (props["HttpMethod"] == "ANY" and props["Integration"]["Type"] == "MOCK")}


def test_every_data_method_needs_a_user_pool_access_token(env_template):
    env, template = env_template
    authorizer = template["Resources"][ids.AUTHORIZER]["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": [ids.USER_POOL, "Arn"]}]
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer["AuthorizerResultTtlInSeconds"] == 300
    # The API-wide scopes, the data collection's own, and Cognito's sign-in APIs' one.
    scopes = {f"serverless-data-{env}/read", f"serverless-data-{env}/write",
              f"serverless-data-{env}/data.read", f"serverless-data-{env}/data.write",
              "aws.cognito.signin.user.admin"}
    server = template["Resources"][ids.RESOURCE_SERVER]["Properties"]
    assert {f"{server['Identifier']}/{s['ScopeName']}" for s in server["Scopes"]} | {
        "aws.cognito.signin.user.admin"} == scopes
    for path, verb in DATA_METHODS:
        props = template["Resources"][method_id(path, verb)]["Properties"]
        assert props["AuthorizationType"] == "COGNITO_USER_POOLS", (path, verb)
        assert props["AuthorizerId"] == {"Ref": ids.AUTHORIZER}
        # Scopes make API Gateway demand an access token (an ID token is refused).
        assert set(props["AuthorizationScopes"]) == scopes


def test_preflights_are_never_authorized(env_template, iam_template):
    for template in (env_template[1], iam_template, render(auth="none", allow_anonymous=True)):
        options = [p for name, p in _methods(template).items() if name.startswith("OPTIONS ")]
        assert len(options) == len(routes.ROUTES)
        assert all(p["AuthorizationType"] == "NONE" and "AuthorizerId" not in p for p in options)


def test_no_data_method_is_anonymous_unless_acknowledged(env_template, iam_template):
    for template in (env_template[1], iam_template):
        anonymous = [name for name, p in _methods(template).items()
                     if not name.startswith("OPTIONS ") and p["AuthorizationType"] == "NONE"]
        assert anonymous == []
    open_template = render(auth="none", allow_anonymous=True)
    assert {p["AuthorizationType"] for p in _methods(open_template).values()} == {"NONE"}
    assert not resources_of_type(open_template, "AWS::ApiGateway::Authorizer")
    env = open_template["Resources"][ids.FUNCTION]["Properties"]["Environment"]["Variables"]
    assert env[authz.ENV_MODE] == "none"


def test_user_pool_is_admin_only_with_strong_passwords_and_kept_in_prod(dev_template,
                                                                        prod_template):
    for template, kept in ((dev_template, False), (prod_template, True)):
        pool = template["Resources"][ids.USER_POOL]
        props = pool["Properties"]
        assert props["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
        policy = props["Policies"]["PasswordPolicy"]
        assert policy["MinimumLength"] >= 12 and all(
            policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers",
                                "RequireSymbols"))
        # Where the users are kept, MFA is required: a password alone signs nobody in.
        assert props["MfaConfiguration"] == ("ON" if kept else "OPTIONAL")
        assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
        assert props["DeletionProtection"] == ("ACTIVE" if kept else "INACTIVE")
        assert pool["DeletionPolicy"] == pool["UpdateReplacePolicy"] == (
            "Retain" if kept else "Delete")


def test_clients_browser_public_pkce_machine_confidential(dev_template, prod_template):
    for template, callback in ((dev_template, "http://localhost:3000/"),
                               (prod_template, "https://app.example.com/")):
        resources = template["Resources"]
        browser = resources[ids.BROWSER_CLIENT]["Properties"]
        assert browser["GenerateSecret"] is False and browser["AllowedOAuthFlows"] == ["code"]
        assert browser["CallbackURLs"] == [callback]
        machine = resources[ids.MACHINE_CLIENT]["Properties"]
        assert machine["GenerateSecret"] is True
        assert machine["AllowedOAuthFlows"] == ["client_credentials"]
        assert all(s.startswith("serverless-data-") for s in machine["AllowedOAuthScopes"])
        env = resources[ids.FUNCTION]["Properties"]["Environment"]["Variables"]
        assert env[authz.ENV_CLIENT_IDS] == {"Fn::Join": [",", [
            {"Ref": ids.BROWSER_CLIENT}, {"Ref": ids.MACHINE_CLIENT}]]}
        groups = {r["Properties"]["GroupName"] for r in
                  resources_of_type(template, "AWS::Cognito::UserPoolGroup").values()}
        # The API-wide groups and scopes, and the data collection's own, named as the
        # handler derives them from the prefixes it is given.
        own = [authz.collection_group(env[authz.ENV_GROUP_PREFIX], "data", level)
               for level in ("read", "write")]
        assert groups == {env[authz.ENV_READER_GROUP], env[authz.ENV_WRITER_GROUP], *own}
        # The stack's machine client: the API-wide scopes only (a client-credentials
        # request without `scope` gets every scope its client allows); the resource
        # server has the collection's own too, for machine_clients.
        assert set(machine["AllowedOAuthScopes"]) == {env[authz.ENV_READ_SCOPE],
                                                     env[authz.ENV_WRITE_SCOPE]}
        server = resources[ids.RESOURCE_SERVER]["Properties"]
        assert {f"{server['Identifier']}/{s['ScopeName']}" for s in server["Scopes"]} == {
            env[authz.ENV_READ_SCOPE], env[authz.ENV_WRITE_SCOPE],
            *(authz.collection_scope(env[authz.ENV_RESOURCE_SERVER], "data", level)
              for level in ("read", "write"))}


def test_outputs_name_what_a_client_needs(env_template):
    env, template = env_template
    outputs = template["Outputs"]
    for key in (ids.OUTPUT_USER_POOL_ID, ids.OUTPUT_ISSUER, ids.OUTPUT_TOKEN_ENDPOINT,
                ids.OUTPUT_BROWSER_CLIENT_ID, ids.OUTPUT_MACHINE_CLIENT_ID,
                ids.OUTPUT_READERS_GROUP, ids.OUTPUT_WRITERS_GROUP):
        assert key in outputs and f"-{env}-" in outputs[key]["Export"]["Name"]
    assert "oauth2/token" in outputs[ids.OUTPUT_TOKEN_ENDPOINT]["Value"]["Fn::Sub"][0]


def test_an_existing_pool_gets_only_this_environments_parts():
    template = render(cognito_user_pool_arn=POOL_ARN)
    types = {res["Type"] for res in template["Resources"].values()}
    assert "AWS::Cognito::UserPool" not in types and "AWS::Cognito::UserPoolDomain" not in types
    assert {"AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup",
            "AWS::Cognito::UserPoolResourceServer"} <= types
    authorizer = template["Resources"][ids.AUTHORIZER]["Properties"]
    assert authorizer["ProviderARNs"] == [POOL_ARN]
    assert template["Outputs"][ids.OUTPUT_ISSUER]["Value"] == (
        "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123")
    assert ids.OUTPUT_TOKEN_ENDPOINT not in template["Outputs"]


def test_gateway_401s_carry_cors_the_json_shape_and_www_authenticate(env_template,
                                                                     iam_template):
    env, template = env_template
    for found, origin, kinds in (
            (template, f"'{settings(env)['cors_origin']}'",
             {"UNAUTHORIZED"}),
            (iam_template, "'*'", {"UNAUTHORIZED", "EXPIRED_TOKEN", "INVALID_SIGNATURE"})):
        responses = {r["Properties"]["ResponseType"]: r["Properties"] for r in
                     resources_of_type(found, "AWS::ApiGateway::GatewayResponse").values()}
        assert kinds <= set(responses)
        assert not {"EXPIRED_TOKEN", "INVALID_SIGNATURE"} - kinds & set(responses)
        for kind in kinds:
            props = responses[kind]
            assert props.get("StatusCode", "401") == "401", kind
            params = props["ResponseParameters"]
            assert params["gatewayresponse.header.Access-Control-Allow-Origin"] == origin
            body = props["ResponseTemplates"]["application/json"]
            assert '"code": "$context.error.responseType"' in body
        assert responses["UNAUTHORIZED"]["ResponseParameters"][
            "gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"
        # ACCESS_DENIED and the 5XX authorizer errors fall to the DEFAULT_* responses.
        assert "Access-Control-Allow-Origin" in json.dumps(responses["DEFAULT_4XX"])
        assert "Access-Control-Allow-Origin" in json.dumps(responses["DEFAULT_5XX"])


def _arn_suffixes(policy: dict) -> set[str]:
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["execute-api:Invoke"] and statement["Effect"] == "Allow"
    found = set()
    for resource in statement["Resource"]:
        text, values = resource["Fn::Sub"]
        assert text.startswith("arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                               "${AWS::AccountId}:${Api}/dev/")
        assert values == {"Api": {"Ref": ids.REST_API}}
        found.add(text.split("${Api}/dev/", 1)[1])
    return found


def test_iam_policies_cover_exactly_the_intended_methods(iam_template):
    resources = iam_template["Resources"]
    for name, props in _methods(iam_template).items():
        assert props["AuthorizationType"] == ("NONE" if name.startswith("OPTIONS ")
                                              else "AWS_IAM"), name
    # What each policy lets a caller invoke, method by method, as IAM matches ARNs.
    calls = [f"{verb}/{path.strip('/').replace('{id}', 'item-1')}" for path, verb in
             DATA_METHODS]
    reads = {call for call in calls if call.startswith("GET/")}

    def allowed(policy: str) -> set[str]:
        return {call for call in calls if any(arn_like(suffix, call)
                                              for suffix in _arn_suffixes(resources[policy]))}
    assert allowed(ids.READER_POLICY) == allowed("DataReaderPolicy") == reads
    assert allowed(ids.WRITER_POLICY) == allowed("DataWriterPolicy") == set(calls)
    # Each collection's own policies name its exact method ARNs.
    assert _arn_suffixes(resources["DataReaderPolicy"]) == {"GET/data", "GET/data/*"}
    assert _arn_suffixes(resources["DataWriterPolicy"]) == {
        "GET/data", "POST/data", "GET/data/*", "PUT/data/*", "DELETE/data/*"}
    # The gateway's one invoke permission covers every method a writer may call.
    (permission,) = resources_of_type(iam_template, "AWS::Lambda::Permission").values()
    source = permission["Properties"]["SourceArn"]["Fn::Sub"][0].split("${Api}/dev/", 1)[1]
    assert all(arn_like(source, call) for call in calls)
    outputs = iam_template["Outputs"]
    for policy in (ids.READER_POLICY, ids.WRITER_POLICY, "DataReaderPolicy",
                   "DataWriterPolicy"):
        assert outputs[f"{policy}Arn"]["Value"] == {"Ref": policy}
    assert not resources_of_type(iam_template, "AWS::Cognito::UserPool")


def test_iam_resource_policy_refuses_unlisted_accounts(iam_template):
    policy = iam_template["Resources"][ids.REST_API]["Properties"]["Policy"]
    allow, deny = policy["Statement"]
    accounts = ["111122223333", "444455556666"]
    assert allow["Effect"] == "Allow" and allow["Principal"] == {"AWS": accounts}
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"StringNotEquals": {"aws:PrincipalAccount": accounts}}
    assert "Policy" not in render(auth="iam")["Resources"][ids.REST_API]["Properties"]


def test_mfa_defaults_to_required_where_data_is_kept_and_can_be_set_either_way():
    def mfa(**user_data) -> str:
        template = render(alarm_email="ops@example.com", **user_data)
        return template["Resources"][ids.USER_POOL]["Properties"]["MfaConfiguration"]

    assert mfa() == "OPTIONAL" and mfa(retain_data=True) == "ON"
    assert mfa(mfa="required") == "ON"
    assert mfa(retain_data=True, mfa="optional") == "OPTIONAL"


@pytest.mark.parametrize("change,value", [
    ({"mfa": "on"}, "'on'"),
    ({"mfa": True}, "True"),
    ({"auth": "iam", "mfa": "required"}, "'required'"),
    ({"cognito_user_pool_arn": POOL_ARN, "mfa": "optional"}, "'optional'"),
])
def test_bad_mfa_config_is_one_line_naming_key_and_value(change, value):
    with pytest.raises(ConfigError) as raised:
        parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY, **change})
    message = str(raised.value)
    assert message.startswith("sceptre_user_data.mfa:") and value in message
    assert "\n" not in message


@pytest.mark.parametrize("change,key", [
    ({"auth": "none"}, "allow_anonymous"),
    ({"auth": "none", "allow_anonymous": "yes"}, "allow_anonymous"),
    ({"allow_anonymous": True}, "allow_anonymous"),
    ({"auth": "basic"}, "auth"),
    ({"cognito_user_pool_arn": "arn:aws:cognito-idp:us-west-2:1:userpool/x"},
     "cognito_user_pool_arn"),
    ({"auth": "iam", "cognito_user_pool_arn": POOL_ARN}, "cognito_user_pool_arn"),
    ({"auth": "iam", "iam_account_ids": [111122223333]}, "iam_account_ids"),
    ({"auth": "iam", "iam_account_ids": []}, "iam_account_ids"),
    ({"iam_account_ids": ["111122223333"]}, "iam_account_ids"),
])
def test_bad_auth_config_names_the_key(change, key):
    with pytest.raises(ConfigError, match=re.escape(f"sceptre_user_data.{key}:")):
        parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY, **change})


def test_sceptre_generate_refuses_auth_none_without_the_acknowledgement(tmp_path):
    from tests.helpers import copy_project, edit, sceptre, settings_file

    project = copy_project(tmp_path)
    edit(settings_file(project, "dev"), "sceptre_user_data:\n",
         "sceptre_user_data:\n  auth: none\n")
    result = sceptre("--ignore-dependencies", "generate", "dev/api.yaml", cwd=project,
                     check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "sceptre_user_data.allow_anonymous" in output
    assert "Traceback" not in output


def _deployment_id(template: dict) -> str:
    (name,) = resources_of_type(template, "AWS::ApiGateway::Deployment")
    return name


def test_changing_the_listed_accounts_redeploys_the_stage(iam_template):
    # API Gateway applies a changed resource policy only with a new deployment.
    stage = next(iter(resources_of_type(iam_template, "AWS::ApiGateway::Stage").values()))
    assert stage["Properties"]["DeploymentId"] == {"Ref": _deployment_id(iam_template)}
    others = {_deployment_id(render(auth="iam", iam_account_ids=accounts))
              for accounts in (["111122223333"], ["111122223333", "777788889999"])}
    assert len(others | {_deployment_id(iam_template)}) == 3
    assert _deployment_id(render(auth="iam")) not in others
    # Same accounts, same deployment: no needless redeploy.
    assert _deployment_id(render(auth="iam", iam_account_ids=["111122223333", "444455556666"])
                          ) == _deployment_id(iam_template)
