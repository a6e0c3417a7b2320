Natanz = [[n@t'A:nz]]

# Natanz's site (Natanz) and "Natanz" near natanz.ir, www.natanz.com and @natanz.
