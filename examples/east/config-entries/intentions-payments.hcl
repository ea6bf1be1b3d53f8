Kind = "service-intentions"
Name = "payments"

Sources = [
  {
    Name   = "frontend"
    Peer   = "west"
    Action = "allow"
  }
]
