"""`!stack_protection apply|prepare_update|guard_delete`: a `retain_data: true` stack is
never replaced, emptied or deleted by accident (README "Protected stacks").

Sceptre 4.7 applies neither termination protection nor a stack policy (its `set-policy`
is a separate command, and `update` passes no StackPolicyDuringUpdateBody), so this hook
does, through the stack's own connection (region, profile, role):
- `apply` (after create, update, launch and change-set execution): the stack policy
  (stack_protection.policy), then termination protection if it is off. Not on a stack
  whose creation failed, which `sceptre launch` must be free to delete and create again.
- `prepare_update` (before update and change-set execution): the policy the update runs
  under: the full one, or, when DATA_API_UNPROTECT names resources, one that lets this
  update replace or remove those. The full one is back after the update, and when the
  command ends whatever happened (a failed or interrupted launch included).
- `guard_delete` (before delete): refuses while termination protection is on, saying why
  and how to delete on purpose. (CloudFormation would refuse too, with less to go on.)
`apply` and `prepare_update` call nothing on a stack without `retain_data: true`.
"""

from __future__ import annotations

import atexit
import os
from typing import Any, Optional

from botocore.exceptions import BotoCoreError, ClientError
from sceptre.exceptions import InvalidHookArgumentValueError, SceptreException
from sceptre.hooks import Hook

from stack_protection.policy import UNPROTECT_ENV, parse_unprotected, policy_body

ACTIONS = ("apply", "prepare_update", "guard_delete")
# Statuses of a stack whose creation failed: it holds nothing, and `sceptre launch`
# deletes it and creates it again (CloudFormation's StackStatus values).
NEVER_CREATED = ("CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED",
                 "ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "DELETE_IN_PROGRESS",
                 "DELETE_COMPLETE")


class StackProtectedError(SceptreException):
    """A protected stack was asked to go; Sceptre's CLI prints it as one line, exit 1."""


class StackProtection(Hook):
    def run(self) -> None:
        action = str(self.argument or "").strip()
        if action not in ACTIONS:
            raise InvalidHookArgumentValueError(
                f"!stack_protection takes one of {', '.join(ACTIONS)}; got {action!r}")
        if action == "guard_delete":
            self._guard_delete()
            return
        unprotected = self._unprotected()
        if self.stack.sceptre_user_data.get("retain_data") is not True:
            if unprotected:
                self.logger.warning("%s: %s ignored: this stack keeps no data "
                                    "(retain_data is not true)", self.stack.name, UNPROTECT_ENV)
        elif action == "apply":
            self._apply()
        else:
            self._prepare_update(unprotected)

    def _unprotected(self) -> tuple[str, ...]:
        try:
            return parse_unprotected(os.environ.get(UNPROTECT_ENV))
        except ValueError as error:
            raise InvalidHookArgumentValueError(f"!stack_protection: {error}") from None

    def _call(self, command: str, **kwargs: Any) -> Any:
        return self.stack.connection_manager.call("cloudformation", command, kwargs)

    def _set_policy(self, unprotected: tuple[str, ...] = ()) -> None:
        self._call("set_stack_policy", StackName=self.stack.external_name,
                   StackPolicyBody=policy_body(unprotected))

    def _describe(self) -> Optional[dict[str, Any]]:
        try:
            return self._call("describe_stacks", StackName=self.stack.external_name)["Stacks"][0]
        except ClientError as error:
            if "does not exist" in str(error.response.get("Error", {}).get("Message", "")):
                return None
            raise

    def _apply(self) -> None:
        found = self._describe()
        status = found.get("StackStatus") if found else "not created"
        if found is None or status in NEVER_CREATED:
            self.logger.info("%s: no protection for a stack that was never created (%s)",
                             self.stack.name, status)
            return
        self._set_policy()
        if not found.get("EnableTerminationProtection"):
            self._call("update_termination_protection", StackName=self.stack.external_name,
                       EnableTerminationProtection=True)
        self.logger.info("%s: termination protection on; the stack policy denies replacing "
                         "or removing its tables, user pool and keys", self.stack.name)

    def _prepare_update(self, unprotected: tuple[str, ...]) -> None:
        self._set_policy(unprotected)
        if unprotected:
            atexit.register(self._restore)  # also if the update fails or is interrupted
            self.logger.warning("%s: %s=%s: this update may replace or remove %s; the full "
                                "stack policy is back after it", self.stack.name,
                                UNPROTECT_ENV, " ".join(unprotected), ", ".join(unprotected))

    def _restore(self) -> None:
        """The full policy again, at the end of the command that lifted part of it."""
        try:
            self._set_policy()
        except (ClientError, BotoCoreError) as error:
            self.logger.error("%s: the full stack policy could not be put back (%s): run "
                              "`sceptre launch %s.yaml` again", self.stack.name, error,
                              self.stack.name)

    def _guard_delete(self) -> None:
        found = self._describe()
        if found is None or not found.get("EnableTerminationProtection"):
            return
        name, region = self.stack.external_name, self.stack.region
        raise StackProtectedError(
            f"{self.stack.name}: not deleting {name}: its termination protection is on "
            "(README \"Protected stacks\"); with retain_data: true its tables, user pool and "
            "keys would stay anyway. To delete the stack on purpose: aws cloudformation "
            f"update-termination-protection --stack-name {name} --region {region} "
            f"--no-enable-termination-protection, then `sceptre delete {self.stack.name}.yaml`")
