"""moto shim: CloudFormation's UpdateTerminationProtection, honoured by DeleteStack.

moto stores EnableTerminationProtection given to CreateStack and reports it in
DescribeStacks, but does not implement UpdateTerminationProtection (NotImplementedError:
a 500), so the stack protection hook (`!stack_protection`) failed prod's launch on the
local AWS, and its DeleteStack deletes a protected stack. Set the flag moto already
keeps, and refuse DeleteStack while it is on, with AWS's error (CloudFormation user
guide, "Protect CloudFormation stacks from being deleted": "If a user attempts to delete
a stack with termination protection enabled, the operation fails and the stack remains
unchanged").

Not imitated: moto stores a stack policy (SetStackPolicy/GetStackPolicy) but updates
every resource whatever it says; the policy's effect is proven on the rendered policy.

Runs inside .venv-localaws's moto server (see moto_server.py), never in templates.
"""

from __future__ import annotations

from typing import Any


def shim_termination_protection() -> None:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def update_termination_protection(self: Any) -> Any:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        if "DELETE" in stack.status:
            raise ValidationError(message=f"Stack [{stack.name}] is in {stack.status} state")
        stack.enable_termination_protection = str(
            self._get_param("EnableTerminationProtection")).lower() == "true"
        return ActionResult({"StackId": stack.stack_id})

    original_delete = CloudFormationResponse.delete_stack

    def delete_stack(self: Any) -> Any:
        name = self._get_param("StackName")
        try:
            stack = self.cloudformation_backend.get_stack(name)
        except ValidationError:  # moto's own answer for a stack that is not there
            return original_delete(self)
        if stack.enable_termination_protection and "DELETE" not in stack.status:
            raise ValidationError(name, message=f"Stack [{stack.name}] cannot be deleted "
                                  "while TerminationProtection is enabled")
        return original_delete(self)

    CloudFormationResponse.update_termination_protection = update_termination_protection  # type: ignore[attr-defined]
    CloudFormationResponse.delete_stack = delete_stack  # type: ignore[method-assign]
