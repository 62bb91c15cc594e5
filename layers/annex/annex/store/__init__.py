"""DynamoDB access. Nothing outside this package touches boto3; conditional failures become domain errors here."""
