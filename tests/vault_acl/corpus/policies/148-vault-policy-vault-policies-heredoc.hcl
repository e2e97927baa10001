path "sys/policy/*" {
  policy = "write"
}
