"""Domain rules: what each operation means, independent of HTTP and of DynamoDB."""
