# en.lex - pronunciations for English voices, in aloud's lexicon format
# (see README.md in this folder). A preset uses it with `lexicon = en`.
#
# Each entry is here because espeak-ng 1.51 (en-us) reads the word wrong on
# its own: its reading, from `espeak-ng -q -x -v en-us WORD`, is in the
# comment above the entry. Initialisms such as JCPOA or IAEA need no entry:
# aloud's spoken-text rules spell them ("J.C.P.O.A").

# Names from the news.

# n'atants: "NAT-ants", stress on the first syllable.
Natanz = [[n@t'A:nz]]
# 'u:lI2;,an0v: "OO-lee-an-ov".
Ulyanov = [[u:lj'A:n@f]]
# m'IkaIl: "MICK-isle".
Mikhail = [[mi:kA:'i:l]]
# k'A:m@n,eI: stress on the first syllable.
Khamenei = [[k,A:m@n'eI]]
# z'aI dZ'InpIN: "zye". Only the full name: "Xi" alone is also a Greek letter.
Xi Jinping = [[S'i: dZ'InpIN]]
# h'aUTaI: "HOW-thigh". Each form of a word is its own entry.
Houthi = [[h'u:Ti]]
Houthis = [[h'u:Tiz]]
# h'Ezb0l@: stress on the first syllable.
Hezbollah = [[h,Ezb@l'A:]]
# kj'Iv: one syllable.
Kyiv = [[k'i:Iv]]
# n'EsEt: a silent K.
Knesset = [[k@n'EsI#t]]
# l'IkVd: "LICK-ud".
Likud = [[lI#k'u:d]]

# Not on by default: the World Health Organization is often said letter by
# letter, but only the capitals must match, never the word "who".
# WHO == W.H.O
