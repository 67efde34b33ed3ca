"""The data API's Lambda code: routing (handler), validation, storage, responses."""
