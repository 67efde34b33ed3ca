"""CodeDeploy lifecycle hooks of the data API, shipped in the same artifact."""
