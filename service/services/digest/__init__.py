"""The weekly digest: counts kept as notes arrive, the digest built from them, its texts, and its delivery."""
