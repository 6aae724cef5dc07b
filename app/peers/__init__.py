"""`section17 peers ...`: offence types, crime figures and the family group's tables from the command line."""
