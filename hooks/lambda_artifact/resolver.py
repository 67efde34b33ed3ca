"""`!lambda_artifact_key <folder>`: the S3 key of the folder's artifact.

Used in `sceptre_user_data`, so `sceptre generate` (offline) prints the exact
key the hook uploads: a code change shows up as a template change.
"""

from __future__ import annotations

from sceptre.exceptions import InvalidResolverArgumentError
from sceptre.resolvers import Resolver

from lambda_artifact.build import ArtifactError
from lambda_artifact.source import (package, parse_argument, stack_architecture,
                                    stack_python_version)


class LambdaArtifactKey(Resolver):
    def resolve(self) -> str:
        folder, architecture = parse_argument(self.argument, self.stack.config["project_path"],
                                              InvalidResolverArgumentError,
                                              stack_architecture(self.stack.config))
        try:
            return package(folder, architecture,
                               stack_python_version(self.stack.config)).key
        except ArtifactError as error:
            raise InvalidResolverArgumentError(f"!lambda_artifact_key: {error}") from None
