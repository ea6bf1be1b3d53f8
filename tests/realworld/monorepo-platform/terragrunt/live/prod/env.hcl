locals {
  environment = "prod"
  region      = get_env("AWS_REGION", "us-east-1")
}
