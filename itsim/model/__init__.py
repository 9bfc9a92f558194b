"""The SimPy world: moves work and time, records events; measures nothing itself."""
