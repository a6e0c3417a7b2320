# all features
Natanz = na tahnz
Ulyanov=[[u:lj'A:n@f]]
New York Times == the [[t'aImz]]
@decampdave = at de camp dave
C++ = c plus plus
	Dr. No 	=  doctor   no
Ülyanov = ool
Москва = moscow
x = a[[b]]c[[d]]
