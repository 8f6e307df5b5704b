"""Name pools for the test-set generator, by culture, in their own scripts and spellings.

Each name is a tuple of attested Latin spellings, the first being the one a designation uses;
the other spellings are what a customer record may carry. The pools are the generator's own
data, written independently of the screener's variant table (`data/variants.txt`): many of the
spellings here are in no table of the screener, so the evaluation measures fuzzy matching too.
Russian names are kept in Cyrillic and transliterated by several schemes (`gen_translit.py`);
Chinese names carry their characters.
"""

from __future__ import annotations

Spellings = tuple[str, ...]

ARABIC_GIVEN: tuple[Spellings, ...] = (
    ("Muhammad", "Mohammed", "Mohamed", "Mohammad", "Muhamad", "Mouhamed", "Mohamad"),
    ("Ahmad", "Ahmed", "Ahmet", "Achmad"),
    ("Mahmoud", "Mahmud", "Mahmood", "Machmud"),
    ("Mustafa", "Mostafa", "Moustafa", "Mustapha"),
    ("Hussein", "Husain", "Hussain", "Husayn", "Houssein"),
    ("Hassan", "Hasan", "Hasen"),
    ("Ali", "Aly", "Alee"),
    ("Abdullah", "Abdallah", "Abdulla", "Abd Allah"),
    ("Abdulrahman", "Abdel Rahman", "Abdurrahman", "Abd al-Rahman", "Abderrahmane"),
    ("Abdulaziz", "Abdel Aziz", "Abd al-Aziz", "Abdelaziz"),
    ("Omar", "Umar", "Omer", "Oumar"),
    ("Osama", "Usama", "Oussama", "Usamah"),
    ("Yusuf", "Youssef", "Yousef", "Yosef", "Youcef"),
    ("Ibrahim", "Ebrahim", "Ibraheem", "Brahim"),
    ("Khalid", "Khaled", "Chaled", "Halid"),
    ("Walid", "Waleed", "Oualid"),
    ("Tariq", "Tarek", "Tarik", "Tareq"),
    ("Faisal", "Faysal", "Feisal", "Faycal"),
    ("Jamal", "Gamal", "Djamel", "Jamaal"),
    ("Nasser", "Nasir", "Naser", "Nacer"),
    ("Rashid", "Rachid", "Rasheed", "Rashed"),
    ("Saeed", "Said", "Saied", "Sayeed"),
    ("Karim", "Kareem", "Kerim"),
    ("Bashir", "Bachir", "Basheer"),
    ("Zakariya", "Zakaria", "Zakariyya", "Zacharia"),
    ("Salah", "Salaheddine", "Salah al-Din", "Saladin"),
    ("Hamza", "Hamzah", "Hamsa"),
    ("Anwar", "Anouar", "Anuar"),
    ("Qasim", "Kassem", "Qassem", "Kacem"),
    ("Idris", "Idriss", "Edris"),
)
ARABIC_FAMILY: tuple[Spellings, ...] = (
    ("Al-Tikriti", "Tikriti", "Al Tikriti", "el-Tikriti"),
    ("Al-Masri", "Masri", "El Masry", "Al Masry"),
    ("Haddad", "Hadad", "Al-Haddad"),
    ("Al-Khatib", "Khatib", "El Khatib", "Al Khateeb"),
    ("Mansour", "Mansur", "Mansoor"),
    ("Al-Qahtani", "Qahtani", "Al Kahtani", "Al-Gahtani"),
    ("Darwish", "Darwich", "Derwish"),
    ("Al-Rubaie", "Rubaie", "Al Rubaiy", "Al-Rubai"),
    ("Shammari", "Al-Shammari", "Shamari", "Al Chammari"),
    ("Al-Zubaidi", "Zubaidi", "Al Zubaydi", "Zoubaidi"),
    ("Barzani", "Al-Barzani", "Barazani"),
    ("Khoury", "Khouri", "Khury", "El Khoury"),
    ("Nasrallah", "Nasrullah", "Nasralla"),
    ("Al-Obeidi", "Obeidi", "Al Ubaydi", "Al-Obaidi"),
    ("Suleiman", "Sulaiman", "Soliman", "Sleiman"),
    ("Al-Hashimi", "Hashemi", "Al Hashemi", "Hachemi"),
    ("Abu Zaid", "Abou Zeid", "Abuzaid", "Abu Zayd"),
    ("Al-Jaberi", "Jaberi", "Al Jabiri", "Djaberi"),
    ("Ghanem", "Ghanim", "Ghaneem"),
    ("Al-Saadi", "Saadi", "Al Sa'di", "Es-Saadi"),
    ("Bakr", "Bakir", "Bakr al-Din"),
    ("Al-Dulaimi", "Dulaimi", "Al Dulaymi", "Dulaymi"),
    ("Qureshi", "Quraishi", "Koreshi", "Al-Qurashi"),
    ("Al-Amiri", "Amiri", "Al Ameri", "El Amiri"),
)
PERSIAN_GIVEN: tuple[Spellings, ...] = (
    ("Hossein", "Hosein", "Husain", "Hosseyn"),
    ("Reza", "Riza", "Rezza"),
    ("Mohsen", "Muhsin", "Mohssen"),
    ("Gholamreza", "Gholam Reza", "Qolamreza", "Golamreza"),
    ("Mehdi", "Mahdi", "Mehdy"),
    ("Javad", "Jawad", "Djavad"),
    ("Abbas", "Abas", "Abbass"),
    ("Ghasem", "Qasem", "Ghassem", "Kasem"),
    ("Mojtaba", "Mujtaba", "Modjtaba"),
    ("Esmail", "Ismail", "Esmaeil", "Esmaeel"),
    ("Farhad", "Farhaad", "Ferhad"),
    ("Majid", "Madjid", "Majeed"),
    ("Behrouz", "Behruz", "Behrooz"),
    ("Shahram", "Shahrom", "Chahram"),
    ("Kourosh", "Kurosh", "Koorosh", "Cyrus"),
    ("Mahmoud", "Mahmud", "Mahmood"),
)
PERSIAN_FAMILY: tuple[Spellings, ...] = (
    ("Rezaei", "Rezaee", "Rezaie", "Rezai"),
    ("Tavakkoli", "Tavakoli", "Tawakkoli", "Tavakolli"),
    ("Hosseini", "Hosseyni", "Husseini", "Hoseini"),
    ("Ahmadinejad", "Ahmadi-Nejad", "Ahmadinezhad", "Ahmadinejhad"),
    ("Ghorbani", "Qorbani", "Gorbani", "Ghorbany"),
    ("Mousavi", "Musavi", "Moussavi", "Mosavi"),
    ("Jafarzadeh", "Jafarzade", "Jaafarzadeh", "Jafar-Zadeh"),
    ("Karimi", "Karimy", "Kerimi"),
    ("Sadeghi", "Sadeqi", "Sadegi", "Sadeghy"),
    ("Shirazi", "Chirazi", "Shirazy"),
    ("Khamenei", "Khamenehi", "Khamene'i", "Chamenei"),
    ("Yazdani", "Yazdany", "Iazdani"),
    ("Gholamzadeh", "Qolamzadeh", "Golamzade"),
    ("Nourbakhsh", "Nurbakhsh", "Noorbakhsh"),
)
KURDISH_GIVEN: tuple[Spellings, ...] = (
    ("Rebwar", "Rêbwar", "Rebuar", "Reibwar"),
    ("Sherko", "Şêrko", "Shirko", "Sirko"),
    ("Kawa", "Kaawa", "Kawe", "Kaveh"),
    ("Azad", "Azaad", "Asad"),
    ("Hemin", "Hêmin", "Hemen"),
    ("Dilshad", "Dilşad", "Delshad"),
    ("Ebdullah", "Abdullah", "Ebdulla", "Abdulla"),
    ("Ehmed", "Ahmed", "Ahmad", "Ehmad"),
    ("Bakhtiyar", "Bextiyar", "Bakhtiar", "Baxtiyar"),
    ("Karwan", "Kerwan", "Karvan"),
    ("Soran", "Suran", "Sorran"),
    ("Shwan", "Şwan", "Shuan"),
)
KURDISH_FAMILY: tuple[Spellings, ...] = (
    ("Hamasaeed", "Hama Saeed", "Hemesaîd", "Hamasaid"),
    ("Mahmoudi", "Mehmûdî", "Mahmudi"),
    ("Zebari", "Zêbarî", "Zibari"),
    ("Talabani", "Talebanî", "Talibani"),
    ("Barwari", "Berwarî", "Barwary"),
    ("Rashidani", "Reşîdanî", "Rasheedani"),
    ("Hawrami", "Hewramî", "Hawramy", "Awrami"),
    ("Sindi", "Sîndî", "Sindy"),
    ("Dizayee", "Dizayi", "Dizeyî"),
)
# Russian names in Cyrillic: given names, patronymics (male), surnames
RUSSIAN_GIVEN = (
    "Сергей", "Александр", "Алексей", "Дмитрий", "Михаил", "Николай", "Андрей", "Юрий",
    "Евгений", "Владимир", "Игорь", "Олег", "Вячеслав", "Григорий", "Константин", "Аркадий",
    "Виктор", "Геннадий", "Анатолий", "Тимофей", "Фёдор", "Ярослав", "Кирилл", "Эдуард",
)  # fmt: skip
RUSSIAN_PATRONYMIC = (
    "Сергеевич", "Александрович", "Алексеевич", "Дмитриевич", "Михайлович", "Николаевич",
    "Андреевич", "Юрьевич", "Евгеньевич", "Владимирович", "Игоревич", "Олегович",
    "Викторович", "Геннадьевич", "Анатольевич", "Фёдорович",
)  # fmt: skip
RUSSIAN_FAMILY = (
    "Кузнецов", "Смирнов", "Воробьёв", "Щербаков", "Журавлёв", "Хрусталёв", "Чайковский",
    "Ющенко", "Евтушенко", "Белоусов", "Жуковский", "Цыганов", "Шевчук", "Колесников",
    "Ярошенко", "Зайцев", "Черкасов", "Юдашкин", "Ильюшин", "Прохоров", "Шаховской",
    "Чернышёв", "Гайдамак", "Хабибуллин", "Дерипасов", "Вексельман", "Ротенбург", "Тимченков",
)  # fmt: skip
# Chinese: (characters, pinyin, Wade-Giles, Cantonese) for surnames; syllables for given names
CHINESE_FAMILY: tuple[tuple[str, ...], ...] = (
    ("张", "Zhang", "Chang", "Cheung"),
    ("王", "Wang", "Wang", "Wong"),
    ("李", "Li", "Li", "Lee"),
    ("刘", "Liu", "Liu", "Lau"),
    ("陈", "Chen", "Ch'en", "Chan"),
    ("杨", "Yang", "Yang", "Yeung"),
    ("黄", "Huang", "Huang", "Wong"),
    ("赵", "Zhao", "Chao", "Chiu"),
    ("周", "Zhou", "Chou", "Chow"),
    ("徐", "Xu", "Hsu", "Tsui"),
    ("郭", "Guo", "Kuo", "Kwok"),
    ("谢", "Xie", "Hsieh", "Tse"),
)
CHINESE_GIVEN: tuple[tuple[str, ...], ...] = (
    ("伟", "Wei", "Wei"), ("强", "Qiang", "Ch'iang"), ("明", "Ming", "Ming"),
    ("华", "Hua", "Hua"), ("军", "Jun", "Chün"), ("平", "Ping", "P'ing"),
    ("建", "Jian", "Chien"), ("国", "Guo", "Kuo"), ("文", "Wen", "Wen"),
    ("海", "Hai", "Hai"), ("东", "Dong", "Tung"), ("志", "Zhi", "Chih"),
    ("杰", "Jie", "Chieh"), ("俊", "Jun", "Chün"), ("晓", "Xiao", "Hsiao"),
    ("勇", "Yong", "Yung"), ("斌", "Bin", "Pin"), ("庆", "Qing", "Ch'ing"),
)  # fmt: skip
VIETNAMESE_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
VIETNAMESE_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Hữu", "Quang", "Ngọc")
VIETNAMESE_GIVEN = (
    "Thành", "Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Phương", "Hương", "Long", "Quân",
    "Khánh", "Tâm", "Hải", "Sơn", "Trung", "Hiếu",
)  # fmt: skip
# English names: (formal, nicknames...) and surnames with spelling variants
ENGLISH_GIVEN: tuple[Spellings, ...] = (
    ("Robert", "Bob", "Rob", "Bobby", "Robbie"),
    ("William", "Bill", "Will", "Billy", "Liam"),
    ("Richard", "Rick", "Dick", "Richie"),
    ("Margaret", "Maggie", "Peggy", "Meg", "Greta"),
    ("Elizabeth", "Liz", "Beth", "Betsy", "Lisa"),
    ("Anthony", "Tony", "Ant"),
    ("Christopher", "Chris", "Kit", "Topher"),
    ("Katherine", "Kate", "Kathy", "Kitty", "Kat"),
    ("Edward", "Ed", "Ted", "Eddie", "Ned"),
    ("Jonathan", "Jon", "Johnny", "Nathan"),
    ("Alexander", "Alex", "Sandy", "Xander", "Al"),
    ("Patrick", "Pat", "Paddy"),
    ("Frederick", "Fred", "Freddie", "Rick"),
    ("Theodore", "Theo", "Ted", "Teddy"),
    ("Gwendolyn", "Gwen", "Wendy"),
    ("Nicholas", "Nick", "Nicky", "Nico"),
)
ENGLISH_FAMILY: tuple[Spellings, ...] = (
    ("Thompson", "Thomson", "Tompson"), ("Smyth", "Smith", "Smythe"),
    ("MacDonald", "McDonald", "Macdonald"), ("O'Sullivan", "Osullivan", "O Sullivan"),
    ("Stephenson", "Stevenson", "Stephensen"), ("Harrington", "Harington", "Herrington"),
    ("Blackwood", "Blackwod", "Black-Wood"), ("Fairweather", "Fairwether", "Fayreweather"),
    ("Ashcroft", "Ashcroffe", "Ashcraft"), ("Pemberton", "Pemberten", "Pembertone"),
)  # fmt: skip
ALBANIAN_GIVEN: tuple[Spellings, ...] = (
    ("Arben", "Arbën"), ("Gëzim", "Gezim"), ("Dritan", "Drittan"), ("Ilir", "Illir"),
    ("Fatmir", "Fatmire"), ("Besnik", "Besnick"), ("Ermal", "Ermall"), ("Shkëlzen", "Shkelzen"),
)  # fmt: skip
ALBANIAN_FAMILY: tuple[Spellings, ...] = (
    ("Hoxha", "Hodja", "Hodža", "Hoxa"), ("Krasniqi", "Krasniçi", "Krasniki"),
    ("Berisha", "Bérisha", "Berishaj"), ("Gashi", "Gaši", "Gashaj"), ("Shehu", "Sheho"),
    ("Çela", "Cela", "Chela"), ("Dervishi", "Dervishaj", "Dervisi"),
)  # fmt: skip
YORUBA_GIVEN: tuple[Spellings, ...] = (
    ("Olusegun", "Olúṣẹgun", "Segun"), ("Babatunde", "Babatúndé", "Tunde"),
    ("Oluwaseun", "Oluwaṣeun", "Seun"), ("Adebayo", "Adébáyọ̀", "Bayo"),
    ("Chukwuemeka", "Emeka", "Chukwuemeka"), ("Ngozi", "Ngozie", "Ngozi"),
)  # fmt: skip
YORUBA_FAMILY: tuple[Spellings, ...] = (
    ("Adekanmbi", "Adékànmí", "Adekanbi"), ("Okonkwo", "Okonkow", "Okonqwo"),
    ("Ogunleye", "Ògúnléye", "Ogunlaye"), ("Balogun", "Baloogun", "Ballogun"),
    ("Eze", "Ezeh", "Ezé"), ("Adeyemi", "Adéyẹmí", "Adeyemmi"),
)  # fmt: skip
# Organisations: distinctive words, generic words, legal forms
ORG_WORDS = (
    "Zandervelt", "Korolev", "Petrovlask", "Sarvestan", "Qandil", "Baraka", "Nahrain",
    "Transoceanic", "Caspian", "Aralsk", "Dalian", "Mekong", "Golden Crescent", "Silver Lotus",
    "Al Noor", "Red Star", "Blue Nile", "Tigris", "Euphrates", "Vostok", "Severny", "Anatolia",
    "Pearl River", "Lotus Bloom", "Amber Coast", "Falcon", "Crescent Moon", "Kestrel",
    "Orion", "Meridian", "Zagros", "Kurdistan Star", "Hindukush", "Balkan Eagle", "Danube",
    "Tirana Bay", "Lagos Harbour", "Niger Delta", "Saigon River", "Haiphong",
)  # fmt: skip
ORG_GENERIC = (
    "Trading", "Group", "Holdings", "International", "General Trading", "Shipping",
    "Logistics", "Exchange", "Import Export", "Industries", "Investment", "Petroleum",
    "Construction", "Energy", "Marine Services", "Engineering", "Technology",
)  # fmt: skip
ORG_FORMS: tuple[Spellings, ...] = (
    ("LLC", "L.L.C.", "Limited Liability Company"), ("Ltd", "Limited", "Ltd."),
    ("FZCO", "FZ-CO", "Free Zone Company"), ("OOO", "LLC", "Limited"),
    ("JSC", "Joint Stock Company", "AO"), ("Co. Ltd", "Company Limited", "Co., Ltd."),
    ("PLC", "Public Limited Company"), ("GmbH", "G.m.b.H."), ("SARL", "S.A.R.L."),
    ("Inc", "Incorporated", "Inc."),
)  # fmt: skip
TITLES = ("Dr", "Dr.", "Sheikh", "Haji", "Hajji", "Mr", "Mrs", "General", "Colonel", "Prof.")
SUFFIXES = ("Jr.", "Jr", "Sr.", "III")
KUNYA = ("Abu", "Umm")

# Larger pools are built from parts, so that a list of 5,000 designations is not full of
# namesakes: Arabic nisbas (place and tribe names), Russian surnames from roots and suffixes,
# invented organisation words from syllables.
NISBA_ROOTS = (
    "Baghdad", "Basr", "Mosul", "Halab", "Dimashq", "Homs", "Yaman", "Lib", "Tunis", "Jazair",
    "Maghrib", "Sudan", "Urdun", "Kuwait", "Qatar", "Bahrain", "Oman", "Najd", "Hijaz", "Anbar",
    "Karbala", "Najaf", "Kirkuk", "Raqq", "Idlib", "Hama", "Ansar", "Sham", "Harb", "Otaib",
    "Mutair", "Dosar", "Ghamd", "Zahran", "Shehr", "Falluj", "Ramad", "Samarr", "Diyal", "Tall",
)  # fmt: skip
RUSSIAN_ROOTS = (
    "Бел", "Сок", "Орл", "Волк", "Медвед", "Лебед", "Голуб", "Гусь", "Соболь", "Морозк",
    "Громык", "Тарас", "Кравч", "Бондар", "Ковал", "Мельник", "Гончар", "Рыбак", "Пастух",
    "Казак", "Стрельц", "Ладог", "Онег", "Камыш", "Берёз", "Дуб", "Клён", "Ясен", "Рябин",
    "Калин", "Малин", "Чернык", "Свирид", "Трофим", "Панкрат", "Евдоким", "Нестер", "Остап",
)  # fmt: skip
RUSSIAN_SUFFIXES = ("ов", "ев", "ин", "овский", "енко", "ук")
ORG_SYLLABLES = (
    "zan", "der", "velt", "kor", "ol", "ev", "pet", "ro", "vlask", "sar", "ves", "tan", "qan",
    "dil", "bar", "aka", "nah", "rain", "mir", "tek", "sol", "var", "dan", "gor", "lum", "nex",
    "tra", "vik", "zel", "mar", "kos", "tal", "rin", "bek", "ost", "ura", "fen", "gal", "hal",
)  # fmt: skip


def nisba_family(root: str) -> tuple[str, ...]:
    """Al-Baghdadi, Baghdadi, Al Baghdadi, el-Baghdadi."""
    word = root + "i"
    return (f"Al-{word}", word, f"Al {word}", f"el-{word}")
