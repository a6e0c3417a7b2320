Natanz na tahnz
 = x
x =
x = [[a
x = a]]
x = [[a [[b]]
x = [[ ]]
x = [[Ã©]]
x = ab
Ã(
x = y
X = z
