path "mysql/config/*" {
    policy = "write"
}

path "service_a/*" {
    policy = "write"
}

path "service_b/*" {
    policy = "write"
}

path "service_c/*" {
    policy = "write"
}
