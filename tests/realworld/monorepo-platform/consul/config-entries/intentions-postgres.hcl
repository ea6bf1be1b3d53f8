Kind = "service-intentions"
Name = "postgres"
Sources {
  Name   = "api"
  Action = "allow"
}
Sources {
  Name   = "billing"
  Action = "allow"
}
