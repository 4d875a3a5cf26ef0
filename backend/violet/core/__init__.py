"""What every domain shares: models, errors, pagination, auth decorators, storage."""
