"""Sceptre template handler for config/account/apigateway-logging.yaml."""

from data_api_stack.account import build_account_template


def sceptre_handler(sceptre_user_data: dict) -> str:
    return build_account_template().to_json()
