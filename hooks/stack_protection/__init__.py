"""`!stack_protection`: termination protection and a stack policy for the stacks that keep
their data (`retain_data: true`), applied by Sceptre at create, update and delete."""
