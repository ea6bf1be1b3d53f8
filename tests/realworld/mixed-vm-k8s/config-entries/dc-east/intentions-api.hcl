Kind = "service-intentions"
Name = "api"
Sources = [
  {
    Name   = "frontend"
    Peer   = "dc-west"
    Action = "allow"
  }
]
