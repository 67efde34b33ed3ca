"""`!stack_output_launch <stack>::<output>`: Sceptre's `!stack_output` for review-friendly configs.

Sceptre 4.7 prints every dependency's template too on `sceptre generate <stack>`, so
`sceptre --output json generate dev/api.yaml` would print two JSON documents and
break `> api.json && cfn-lint api.json`. This resolver resolves and orders exactly
like `!stack_output` (launch, diff, delete, validate...), but registers no
dependency while the running command only prints templates, where parameters are
not resolved anyway.
"""

from __future__ import annotations

import click
from sceptre.exceptions import SceptreException
from sceptre.helpers import normalise_path, sceptreise_path
from sceptre.resolvers.stack_output import StackOutput

# Commands (as click names them, innermost first) that only print templates.
PRINT_ONLY = ({"generate"}, {"template", "dump"})


def printing_templates_only() -> bool:
    """True inside `sceptre generate` / `sceptre dump template`."""
    context = click.get_current_context(silent=True)
    names = set()
    while context is not None:
        names.add(context.info_name)
        context = context.parent
    return any(group <= names for group in PRINT_ONLY)


class StackOutputLaunch(StackOutput):
    def setup(self) -> None:
        if not printing_templates_only():
            super().setup()
            return
        try:
            dependency, self.output_key = self.argument.split("::")
        except (AttributeError, ValueError) as error:
            raise SceptreException(
                f"!stack_output_launch arg should match STACK_NAME::OUTPUT_KEY, got "
                f"{self.argument!r}") from error
        self.dependency_stack_name = sceptreise_path(normalise_path(dependency))
