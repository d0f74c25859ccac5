"""The `bilge` command line: the roof of the house, the only place that imports several packages,
each inside its command so `bilge --help` loads no torch."""
