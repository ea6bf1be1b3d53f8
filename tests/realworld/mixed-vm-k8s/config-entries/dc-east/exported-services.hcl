Kind = "exported-services"
Name = "default"
Services = [
  {
    Name      = "api"
    Consumers = [{ Peer = "dc-west" }]
  }
]
