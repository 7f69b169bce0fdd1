"""Deterministic demo data for the central server: stores, catalog, reviews, stock, staff and customers."""

from __future__ import annotations

import datetime
import math
import random
import unicodedata
import zlib
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import accumulate

from retail_rules.gtin import make_gtin13

__all__ = [
    "CURRENCIES",
    "LANGUAGES",
    "MOTIFS",
    "DemoAssociate",
    "DemoCategory",
    "DemoCustomer",
    "DemoLocation",
    "DemoProduct",
    "DemoReview",
    "associates",
    "categories",
    "customers",
    "locations",
    "products",
    "reviews",
    "stock_level",
]

LANGUAGES: tuple[str, ...] = ("en", "cs", "pl", "bg")
CURRENCIES: tuple[str, ...] = ("CZK", "PLN", "EUR")
MOTIFS: tuple[str, ...] = (
    "chair", "sofa", "table", "lamp", "mug", "pan", "kettle", "headphones", "speaker", "phone",
    "laptop", "sneaker", "backpack", "tshirt", "ball", "bicycle", "plant", "watering_can",
    "teddy", "blocks", "book", "bottle", "watch", "sunglasses",
)  # fmt: skip

# Products are generated in fixed blocks so that any prefix of the catalog is the same whatever n is.
_BLOCK = 1000
_CHUNK = 10_000
# Seven SKU digits; the GTIN scheme below stays unique up to the same bound.
_MAX_PRODUCTS = 9_999_999


# ---------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class DemoLocation:
    """A store or warehouse; ``kind`` is "store" or "warehouse"."""

    id: str
    kind: str
    name: str
    country: str
    city: str
    address: str
    lat: float
    lon: float
    currency: str
    language: str
    timezone: str


@dataclass(frozen=True, slots=True)
class DemoCategory:
    """A catalog category; a leaf's motif says what its products look like in pictures."""

    id: str
    parent_id: str | None
    names: dict[str, str]
    motif: str
    position: int


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A sellable item; prices in minor units per currency; a variant names its base in parent_sku."""

    sku: str
    gtin: str
    parent_sku: str | None
    category_id: str
    brand: str
    names: dict[str, str]
    descriptions: dict[str, str]
    prices: dict[str, int]
    specs: dict[str, str]
    variant: dict[str, str] | None
    motif: str
    hue: float
    images: int
    popularity: int


@dataclass(frozen=True, slots=True)
class DemoReview:
    """A customer review; ``created_at`` is ISO 8601 UTC."""

    review_id: str
    sku: str
    rating: int
    language: str
    author: str
    title: str
    body: str
    created_at: str
    verified_purchase: bool
    helpful: int


@dataclass(frozen=True, slots=True)
class DemoAssociate:
    """A store employee signing in by badge or by id and PIN; role "associate" or "supervisor"."""

    id: str
    store_id: str
    name: str
    role: str
    badge_code: str
    pin: str


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """An e-shop customer of one of the three markets."""

    first_name: str
    last_name: str
    email: str
    phone: str
    language: str


# -------------------------------------------------------------------------------------------- locations

_LOCATIONS: tuple[DemoLocation, ...] = (
    DemoLocation("CZ-PRG-01", "store", "Prodejna Praha – Smíchov", "CZ", "Praha",
                 "Plzeňská 8, 150 00 Praha 5", 50.0707, 14.4030, "CZK", "cs", "Europe/Prague"),
    DemoLocation("CZ-BRN-01", "store", "Prodejna Brno – Centrum", "CZ", "Brno",
                 "Masarykova 12, 602 00 Brno", 49.1927, 16.6113, "CZK", "cs", "Europe/Prague"),
    DemoLocation("PL-WAW-01", "store", "Sklep Warszawa – Mokotów", "PL", "Warszawa",
                 "ul. Puławska 42, 02-512 Warszawa", 52.2046, 21.0169, "PLN", "pl", "Europe/Warsaw"),
    DemoLocation("PL-KRK-01", "store", "Sklep Kraków – Kazimierz", "PL", "Kraków",
                 "ul. Józefa 15, 31-056 Kraków", 50.0510, 19.9452, "PLN", "pl", "Europe/Warsaw"),
    DemoLocation("BG-SOF-01", "store", "Магазин София – Център", "BG", "София",
                 "бул. Витоша 48, 1000 София", 42.6921, 23.3189, "EUR", "bg", "Europe/Sofia"),
    DemoLocation("WH-CZ-01", "warehouse", "Centrální sklad Jihlava", "CZ", "Jihlava",
                 "Hruškové Dvory 112, 586 01 Jihlava", 49.4210, 15.6370, "CZK", "cs", "Europe/Prague"),
    DemoLocation("WH-PL-01", "warehouse", "Magazyn centralny Stryków", "PL", "Stryków",
                 "ul. Logistyczna 3, 95-010 Stryków", 51.9012, 19.6035, "PLN", "pl", "Europe/Warsaw"),
)  # fmt: skip


def locations() -> list[DemoLocation]:
    """The chain's five stores and two warehouses."""
    return list(_LOCATIONS)


# ------------------------------------------------------------------------------------------- categories

# id | parent | motif | en | cs | pl | bg  (departments have no parent)
_TREE = """
home||sofa|Home & Furniture|Domov a nábytek|Dom i meble|Дом и мебели
home-seating|home|chair|Seating|Sedací nábytek|Meble do siedzenia|Мебели за сядане
home-tables|home|table|Tables|Stoly|Stoły|Маси
home-lighting|home|lamp|Lighting|Osvětlení|Oświetlenie|Осветление
home-decor|home|bottle|Decor|Dekorace|Dekoracje|Декорация
kitchen||pan|Kitchen & Dining|Kuchyně a stolování|Kuchnia i jadalnia|Кухня и трапезария
kitchen-cookware|kitchen|pan|Cookware|Nádobí na vaření|Naczynia kuchenne|Съдове за готвене
kitchen-tableware|kitchen|mug|Tableware|Stolování|Zastawa stołowa|Сервиране
kitchen-appliances|kitchen|kettle|Small appliances|Malé spotřebiče|Małe AGD|Малки домакински уреди
kitchen-storage|kitchen|bottle|Food storage|Skladování potravin|Przechowywanie żywności|Съхранение на храна
electronics||laptop|Electronics|Elektronika|Elektronika|Електроника
el-audio|electronics|headphones|Audio|Audio|Audio|Аудио
el-phones|electronics|phone|Phones & tablets|Telefony a tablety|Telefony i tablety|Телефони и таблети
el-computers|electronics|laptop|Computers|Počítače|Komputery|Компютри
el-wearables|electronics|watch|Wearables|Chytré hodinky a náramky|Smartwatche i opaski
    |Смарт часовници и гривни
sport||bicycle|Sport & Outdoor|Sport a outdoor|Sport i turystyka|Спорт и туризъм
sport-cycling|sport|bicycle|Cycling|Cyklistika|Rowery|Колоездене
sport-ball|sport|ball|Ball sports|Míčové sporty|Gry zespołowe|Игри с топка
sport-running|sport|sneaker|Running|Běh|Bieganie|Бягане
sport-hiking|sport|backpack|Hiking|Turistika|Turystyka|Туризъм
garden||plant|Garden|Zahrada|Ogród|Градина
garden-plants|garden|plant|Plants|Rostliny|Rośliny|Растения
garden-tools|garden|watering_can|Garden tools|Zahradní nářadí|Narzędzia ogrodowe|Градински инструменти
garden-furniture|garden|chair|Garden furniture|Zahradní nábytek|Meble ogrodowe|Градински мебели
toys||teddy|Toys|Hračky|Zabawki|Играчки
toys-plush|toys|teddy|Plush toys|Plyšové hračky|Pluszaki|Плюшени играчки
toys-building|toys|blocks|Building sets|Stavebnice|Klocki|Конструктори
toys-games|toys|blocks|Games & puzzles|Hry a puzzle|Gry i puzzle|Игри и пъзели
toys-outdoor|toys|ball|Outdoor toys|Hračky na ven|Zabawki na dwór|Играчки за навън
books||book|Books|Knihy|Książki|Книги
books-fiction|books|book|Fiction|Beletrie|Literatura piękna|Художествена литература
books-nonfiction|books|book|Non-fiction|Naučná literatura|Literatura faktu|Научнопопулярна литература
books-kids|books|book|Children's books|Dětské knihy|Książki dla dzieci|Детски книги
fashion||tshirt|Fashion|Móda|Moda|Мода
fashion-clothing|fashion|tshirt|Clothing|Oblečení|Odzież|Облекло
fashion-shoes|fashion|sneaker|Shoes|Obuv|Obuwie|Обувки
fashion-accessories|fashion|backpack|Accessories|Doplňky|Akcesoria|Аксесоари
"""

# id | group | motif | spec profile | variant axis | text kind | CZK low | CZK high | catalog weight
_LEAF_META = """
chairs|home-seating|chair|chair|finish|furniture|990|5990|3
armchairs|home-seating|chair|chair|color|furniture|2990|14990|2
sofas|home-seating|sofa|sofa|color|furniture|8990|49990|2
bar-stools|home-seating|chair|chair|finish|furniture|1290|4990|1
dining-tables|home-tables|table|table|finish|furniture|3990|24990|2
coffee-tables|home-tables|table|table|finish|furniture|1490|8990|2
desks|home-tables|table|table|finish|furniture|2990|14990|2
bedside-tables|home-tables|table|table|finish|furniture|990|4990|1
table-lamps|home-lighting|lamp|lamp|color|lighting|490|3990|2
floor-lamps|home-lighting|lamp|lamp|color|lighting|1290|7990|1
pendant-lights|home-lighting|lamp|lamp|color|lighting|890|6990|1
led-bulbs|home-lighting|lamp|bulb|none|lighting|79|399|2
vases|home-decor|bottle|decor|color|decor|199|1990|2
cushions|home-decor|sofa|cushion|color|decor|199|990|2
wall-clocks|home-decor|watch|clock|color|decor|390|2490|1
frying-pans|kitchen-cookware|pan|cookware|size_cm|cookware|390|2990|3
pots|kitchen-cookware|pan|cookware|size_cm|cookware|490|3490|2
woks|kitchen-cookware|pan|cookware|size_cm|cookware|590|2490|1
baking-dishes|kitchen-cookware|pan|bakeware|none|cookware|249|1290|1
mugs|kitchen-tableware|mug|tableware|color|tableware|99|449|3
plates|kitchen-tableware|mug|tableware|color|tableware|149|990|2
glasses|kitchen-tableware|bottle|glassware|none|tableware|149|890|2
cutlery|kitchen-tableware|mug|cutlery|none|tableware|490|3990|1
kettles|kitchen-appliances|kettle|appliance|color|appliance|590|2990|2
coffee-makers|kitchen-appliances|kettle|appliance|color|appliance|1990|19990|2
toasters|kitchen-appliances|kettle|appliance|color|appliance|590|2490|1
blenders|kitchen-appliances|kettle|appliance|color|appliance|790|4990|1
food-containers|kitchen-storage|bottle|container|none|tableware|99|690|2
vacuum-flasks|kitchen-storage|bottle|bottle|color|bottle|390|1290|1
headphones|el-audio|headphones|audio|color|audio|990|9990|2
earbuds|el-audio|headphones|audio|color|audio|690|6990|2
bt-speakers|el-audio|speaker|audio|color|audio|690|7990|2
soundbars|el-audio|speaker|soundbar|none|audio|2990|19990|1
smartphones|el-phones|phone|phone|storage|device|3990|29990|3
tablets|el-phones|phone|tablet|storage|device|3490|24990|1
phone-cases|el-phones|phone|case|color|el_accessory|199|790|3
chargers|el-phones|phone|charger|none|el_accessory|199|1290|2
power-banks|el-phones|phone|powerbank|color|el_accessory|399|1790|1
laptops|el-computers|laptop|laptop|storage|device|9990|49990|2
monitors|el-computers|laptop|monitor|none|el_accessory|2990|14990|1
keyboards|el-computers|laptop|peripheral|color|el_accessory|390|3490|1
mice|el-computers|laptop|peripheral|color|el_accessory|190|1990|1
smartwatches|el-wearables|watch|wearable|color|wearable|1490|11990|2
fitness-trackers|el-wearables|watch|wearable|color|wearable|590|2990|1
mountain-bikes|sport-cycling|bicycle|bike|frame|bike|9990|59990|2
city-bikes|sport-cycling|bicycle|bike|frame|bike|7990|29990|1
kids-bikes|sport-cycling|bicycle|kidbike|color|bike|2490|7990|1
cycling-helmets|sport-cycling|bicycle|helmet|color|sport|690|3490|1
bike-lights|sport-cycling|lamp|bikelight|none|sport|249|1490|1
footballs|sport-ball|ball|ball|none|sport|299|1990|2
basketballs|sport-ball|ball|ball|none|sport|399|1990|1
volleyballs|sport-ball|ball|ball|none|sport|349|1790|1
tennis-balls|sport-ball|ball|tennisball|none|sport|129|449|1
running-shoes|sport-running|sneaker|shoe|size_shoe|footwear|1490|4490|2
running-shirts|sport-running|tshirt|apparel|size_apparel|apparel|399|1290|2
sports-bottles|sport-running|bottle|bottle|color|bottle|149|790|1
hiking-backpacks|sport-hiking|backpack|bag|color|accessory|990|4990|2
hiking-boots|sport-hiking|sneaker|shoe|size_shoe|footwear|1990|5990|2
sport-sunglasses|sport-hiking|sunglasses|eyewear|color|accessory|590|3490|1
houseplants|garden-plants|plant|plant|pot|plant|149|1990|3
succulents|garden-plants|plant|plant|pot|plant|99|590|2
flower-pots|garden-plants|plant|flowerpot|color|garden|99|1490|2
watering-cans|garden-tools|watering_can|gardentool|color|garden|149|790|1
garden-hoses|garden-tools|watering_can|hose|none|garden|390|2490|1
pruning-shears|garden-tools|watering_can|gardentool|none|garden|249|1490|1
spades|garden-tools|watering_can|gardentool|none|garden|390|1290|1
garden-chairs|garden-furniture|chair|chair|color|furniture|590|3990|2
garden-tables|garden-furniture|table|table|color|furniture|1490|9990|1
sun-loungers|garden-furniture|sofa|chair|color|furniture|990|6990|1
solar-lights|garden-furniture|lamp|solar|none|lighting|149|990|1
teddy-bears|toys-plush|teddy|plush|plush_size|plush|249|1490|2
plush-animals|toys-plush|teddy|plush|plush_size|plush|199|1290|2
building-blocks|toys-building|blocks|blocks|none|toy|299|4990|3
wooden-blocks|toys-building|blocks|blocks|none|toy|249|1490|1
board-games|toys-games|blocks|game|none|toy|399|1990|2
puzzles|toys-games|blocks|puzzle|none|toy|149|790|2
play-balls|toys-outdoor|ball|ball|color|toy|99|390|1
balance-bikes|toys-outdoor|bicycle|balancebike|color|toy|990|2990|1
sand-toys|toys-outdoor|watering_can|sandtoy|none|toy|99|490|1
novels|books-fiction|book|book|format|book|249|549|3
crime|books-fiction|book|book|format|book|249|499|2
fantasy|books-fiction|book|book|format|book|299|599|2
cookbooks|books-nonfiction|book|book|format|book|399|899|1
travel-guides|books-nonfiction|book|book|format|book|349|699|1
history|books-nonfiction|book|book|format|book|349|799|1
picture-books|books-kids|book|book|format|book|199|449|2
young-adult|books-kids|book|book|format|book|249|499|1
t-shirts|fashion-clothing|tshirt|apparel|size_apparel|apparel|199|790|3
hoodies|fashion-clothing|tshirt|apparel|size_apparel|apparel|599|1690|2
jackets|fashion-clothing|tshirt|jacket|size_apparel|apparel|1290|4990|2
jeans|fashion-clothing|tshirt|apparel|size_apparel|apparel|790|2490|2
sneakers|fashion-shoes|sneaker|shoe|size_shoe|footwear|990|3490|3
boots|fashion-shoes|sneaker|shoe|size_shoe|footwear|1490|4990|2
sandals|fashion-shoes|sneaker|shoe|size_shoe|footwear|490|1990|1
backpacks|fashion-accessories|backpack|bag|color|accessory|590|2990|2
watches|fashion-accessories|watch|watch|color|accessory|990|8990|2
sunglasses|fashion-accessories|sunglasses|eyewear|color|accessory|390|2990|2
reusable-bottles|fashion-accessories|bottle|bottle|color|bottle|199|890|1
handbags|fashion-accessories|backpack|bag|color|accessory|790|4990|1
"""

# id | en | cs | pl | bg: category names (plural)
_LEAF_NAMES = """
chairs|Chairs|Židle|Krzesła|Столове
armchairs|Armchairs|Křesla|Fotele|Кресла
sofas|Sofas|Pohovky|Sofy|Дивани
bar-stools|Bar stools|Barové židle|Hokery|Бар столове
dining-tables|Dining tables|Jídelní stoly|Stoły do jadalni|Трапезни маси
coffee-tables|Coffee tables|Konferenční stolky|Stoliki kawowe|Холни масички
desks|Desks|Psací stoly|Biurka|Бюра
bedside-tables|Bedside tables|Noční stolky|Szafki nocne|Нощни шкафчета
table-lamps|Table lamps|Stolní lampy|Lampy stołowe|Настолни лампи
floor-lamps|Floor lamps|Stojací lampy|Lampy podłogowe|Лампиони
pendant-lights|Pendant lights|Závěsná svítidla|Lampy wiszące|Висящи лампи
led-bulbs|LED bulbs|LED žárovky|Żarówki LED|LED крушки
vases|Vases|Vázy|Wazony|Вази
cushions|Cushions|Polštáře|Poduszki|Декоративни възглавници
wall-clocks|Wall clocks|Nástěnné hodiny|Zegary ścienne|Стенни часовници
frying-pans|Frying pans|Pánve|Patelnie|Тигани
pots|Pots|Hrnce|Garnki|Тенджери
woks|Woks|Woky|Woki|Уокове
baking-dishes|Baking dishes|Zapékací mísy|Naczynia do zapiekania|Тави за печене
mugs|Mugs|Hrnky|Kubki|Чаши за кафе и чай
plates|Plates|Talíře|Talerze|Чинии
glasses|Glasses|Sklenice|Szklanki|Стъклени чаши
cutlery|Cutlery|Příbory|Sztućce|Прибори за хранене
kettles|Kettles|Rychlovarné konvice|Czajniki elektryczne|Електрически кани
coffee-makers|Coffee makers|Kávovary|Ekspresy do kawy|Кафемашини
toasters|Toasters|Topinkovače|Tostery|Тостери
blenders|Blenders|Mixéry|Blendery|Блендери
food-containers|Food containers|Dózy na potraviny|Pojemniki na żywność|Кутии за храна
vacuum-flasks|Vacuum flasks|Termosky|Termosy|Термоси
headphones|Headphones|Sluchátka|Słuchawki|Слушалки
earbuds|Wireless earbuds|Bezdrátová sluchátka|Słuchawki bezprzewodowe|Безжични слушалки
bt-speakers|Bluetooth speakers|Bluetooth reproduktory|Głośniki Bluetooth|Bluetooth колонки
soundbars|Soundbars|Soundbary|Soundbary|Саундбарове
smartphones|Smartphones|Chytré telefony|Smartfony|Смартфони
tablets|Tablets|Tablety|Tablety|Таблети
phone-cases|Phone cases|Pouzdra na telefon|Etui na telefon|Калъфи за телефон
chargers|Chargers & cables|Nabíječky a kabely|Ładowarki i kable|Зарядни и кабели
power-banks|Power banks|Powerbanky|Powerbanki|Външни батерии
laptops|Laptops|Notebooky|Laptopy|Лаптопи
monitors|Monitors|Monitory|Monitory|Монитори
keyboards|Keyboards|Klávesnice|Klawiatury|Клавиатури
mice|Computer mice|Počítačové myši|Myszy komputerowe|Компютърни мишки
smartwatches|Smartwatches|Chytré hodinky|Smartwatche|Смарт часовници
fitness-trackers|Fitness trackers|Fitness náramky|Opaski sportowe|Фитнес гривни
mountain-bikes|Mountain bikes|Horská kola|Rowery górskie|Планински велосипеди
city-bikes|City bikes|Městská kola|Rowery miejskie|Градски велосипеди
kids-bikes|Kids' bikes|Dětská kola|Rowery dziecięce|Детски велосипеди
cycling-helmets|Cycling helmets|Cyklistické přilby|Kaski rowerowe|Каски за колоездене
bike-lights|Bike lights|Světla na kolo|Lampki rowerowe|Светлини за велосипед
footballs|Footballs|Fotbalové míče|Piłki nożne|Футболни топки
basketballs|Basketballs|Basketbalové míče|Piłki do koszykówki|Баскетболни топки
volleyballs|Volleyballs|Volejbalové míče|Piłki siatkowe|Волейболни топки
tennis-balls|Tennis balls|Tenisové míčky|Piłki tenisowe|Топки за тенис
running-shoes|Running shoes|Běžecké boty|Buty do biegania|Обувки за бягане
running-shirts|Running shirts|Běžecká trička|Koszulki do biegania|Тениски за бягане
sports-bottles|Sports bottles|Sportovní lahve|Bidony|Спортни бутилки
hiking-backpacks|Hiking backpacks|Turistické batohy|Plecaki turystyczne|Туристически раници
hiking-boots|Hiking boots|Turistická obuv|Buty trekkingowe|Туристически обувки
sport-sunglasses|Sport sunglasses|Sportovní brýle|Okulary sportowe|Спортни слънчеви очила
houseplants|Houseplants|Pokojové rostliny|Rośliny doniczkowe|Стайни растения
succulents|Succulents & cacti|Sukulenty a kaktusy|Sukulenty i kaktusy|Сукуленти и кактуси
flower-pots|Flower pots|Květináče|Doniczki|Саксии
watering-cans|Watering cans|Konve|Konewki|Лейки
garden-hoses|Garden hoses|Zahradní hadice|Węże ogrodowe|Градински маркучи
pruning-shears|Pruning shears|Zahradní nůžky|Sekatory|Лозарски ножици
spades|Spades & shovels|Rýče a lopaty|Szpadle i łopaty|Лопати и мотики
garden-chairs|Garden chairs|Zahradní židle|Krzesła ogrodowe|Градински столове
garden-tables|Garden tables|Zahradní stoly|Stoły ogrodowe|Градински маси
sun-loungers|Sun loungers|Zahradní lehátka|Leżaki|Шезлонги
solar-lights|Solar lights|Solární světla|Lampy solarne|Соларни лампи
teddy-bears|Teddy bears|Plyšoví medvídci|Misie pluszowe|Плюшени мечета
plush-animals|Plush animals|Plyšová zvířátka|Pluszowe zwierzaki|Плюшени животни
building-blocks|Building blocks|Kostky a stavebnice|Klocki konstrukcyjne|Строителни блокчета
wooden-blocks|Wooden blocks|Dřevěné kostky|Klocki drewniane|Дървени кубчета
board-games|Board games|Deskové hry|Gry planszowe|Настолни игри
puzzles|Jigsaw puzzles|Puzzle|Puzzle|Пъзели
play-balls|Play balls|Dětské míče|Piłki dla dzieci|Детски топки
balance-bikes|Balance bikes|Odrážedla|Rowerki biegowe|Баланс колела
sand-toys|Sand toys|Hračky na písek|Zabawki do piasku|Играчки за пясък
novels|Novels|Romány|Powieści|Романи
crime|Crime & thrillers|Detektivky a thrillery|Kryminały i thrillery|Криминални романи и трилъри
fantasy|Fantasy & sci-fi|Fantasy a sci-fi|Fantastyka|Фентъзи и фантастика
cookbooks|Cookbooks|Kuchařky|Książki kucharskie|Готварски книги
travel-guides|Travel guides|Cestovní průvodce|Przewodniki|Пътеводители
history|History|Historie|Historia|История
picture-books|Picture books|Obrázkové knihy|Książeczki obrazkowe|Книжки с картинки
young-adult|Young adult|Knihy pro mládež|Książki dla młodzieży|Книги за тийнейджъри
t-shirts|T-shirts|Trička|Koszulki|Тениски
hoodies|Hoodies|Mikiny|Bluzy|Суитшърти
jackets|Jackets|Bundy|Kurtki|Якета
jeans|Jeans|Džíny|Dżinsy|Дънки
sneakers|Sneakers|Tenisky|Sneakersy|Кецове
boots|Boots|Kotníkové boty|Botki|Боти
sandals|Sandals|Sandály|Sandały|Сандали
backpacks|Backpacks|Batohy|Plecaki|Раници
watches|Watches|Hodinky|Zegarki|Часовници
sunglasses|Sunglasses|Sluneční brýle|Okulary przeciwsłoneczne|Слънчеви очила
reusable-bottles|Reusable bottles|Lahve na pití|Butelki wielorazowe|Бутилки за многократна употреба
handbags|Handbags|Kabelky|Torebki|Дамски чанти
"""

# id | en | cs | pl | bg: what one product of the leaf is called, first word of its name
_LEAF_NOUNS = """
chairs|Chair|Židle|Krzesło|Стол
armchairs|Armchair|Křeslo|Fotel|Кресло
sofas|Sofa|Pohovka|Sofa|Диван
bar-stools|Bar stool|Barová židle|Hoker|Бар стол
dining-tables|Dining table|Jídelní stůl|Stół do jadalni|Трапезна маса
coffee-tables|Coffee table|Konferenční stolek|Stolik kawowy|Холна масичка
desks|Desk|Psací stůl|Biurko|Бюро
bedside-tables|Bedside table|Noční stolek|Szafka nocna|Нощно шкафче
table-lamps|Table lamp|Stolní lampa|Lampa stołowa|Настолна лампа
floor-lamps|Floor lamp|Stojací lampa|Lampa podłogowa|Лампион
pendant-lights|Pendant light|Závěsné svítidlo|Lampa wisząca|Висяща лампа
led-bulbs|LED bulb|LED žárovka|Żarówka LED|LED крушка
vases|Vase|Váza|Wazon|Ваза
cushions|Cushion|Polštář|Poduszka|Възглавница
wall-clocks|Wall clock|Nástěnné hodiny|Zegar ścienny|Стенен часовник
frying-pans|Frying pan|Pánev|Patelnia|Тиган
pots|Pot|Hrnec|Garnek|Тенджера
woks|Wok|Wok|Wok|Уок
baking-dishes|Baking dish|Zapékací mísa|Naczynie do zapiekania|Тава за печене
mugs|Mug|Hrnek|Kubek|Чаша
plates|Plate set|Sada talířů|Zestaw talerzy|Комплект чинии
glasses|Glass set|Sada sklenic|Zestaw szklanek|Комплект чаши
cutlery|Cutlery set|Sada příborů|Zestaw sztućców|Комплект прибори
kettles|Kettle|Rychlovarná konvice|Czajnik elektryczny|Електрическа кана
coffee-makers|Coffee maker|Kávovar|Ekspres do kawy|Кафемашина
toasters|Toaster|Topinkovač|Toster|Тостер
blenders|Blender|Mixér|Blender|Блендер
food-containers|Food container set|Sada dóz na potraviny|Zestaw pojemników|Комплект кутии за храна
vacuum-flasks|Vacuum flask|Termoska|Termos|Термос
headphones|Headphones|Sluchátka|Słuchawki|Слушалки
earbuds|Wireless earbuds|Bezdrátová sluchátka|Słuchawki bezprzewodowe|Безжични слушалки
bt-speakers|Bluetooth speaker|Bluetooth reproduktor|Głośnik Bluetooth|Bluetooth колонка
soundbars|Soundbar|Soundbar|Soundbar|Саундбар
smartphones|Smartphone|Chytrý telefon|Smartfon|Смартфон
tablets|Tablet|Tablet|Tablet|Таблет
phone-cases|Phone case|Pouzdro na telefon|Etui na telefon|Калъф за телефон
chargers|Charger|Nabíječka|Ładowarka|Зарядно устройство
power-banks|Power bank|Powerbanka|Powerbank|Външна батерия
laptops|Laptop|Notebook|Laptop|Лаптоп
monitors|Monitor|Monitor|Monitor|Монитор
keyboards|Keyboard|Klávesnice|Klawiatura|Клавиатура
mice|Mouse|Myš|Mysz|Мишка
smartwatches|Smartwatch|Chytré hodinky|Smartwatch|Смарт часовник
fitness-trackers|Fitness tracker|Fitness náramek|Opaska sportowa|Фитнес гривна
mountain-bikes|Mountain bike|Horské kolo|Rower górski|Планински велосипед
city-bikes|City bike|Městské kolo|Rower miejski|Градски велосипед
kids-bikes|Kids' bike|Dětské kolo|Rower dziecięcy|Детски велосипед
cycling-helmets|Cycling helmet|Cyklistická přilba|Kask rowerowy|Каска за колоездене
bike-lights|Bike light set|Sada světel na kolo|Zestaw lampek rowerowych|Комплект светлини за велосипед
footballs|Football|Fotbalový míč|Piłka nożna|Футболна топка
basketballs|Basketball|Basketbalový míč|Piłka do koszykówki|Баскетболна топка
volleyballs|Volleyball|Volejbalový míč|Piłka siatkowa|Волейболна топка
tennis-balls|Tennis balls|Tenisové míčky|Piłki tenisowe|Топки за тенис
running-shoes|Running shoes|Běžecké boty|Buty do biegania|Обувки за бягане
running-shirts|Running shirt|Běžecké tričko|Koszulka do biegania|Тениска за бягане
sports-bottles|Sports bottle|Sportovní lahev|Bidon|Спортна бутилка
hiking-backpacks|Hiking backpack|Turistický batoh|Plecak turystyczny|Туристическа раница
hiking-boots|Hiking boots|Turistické boty|Buty trekkingowe|Туристически обувки
sport-sunglasses|Sport sunglasses|Sportovní brýle|Okulary sportowe|Спортни слънчеви очила
houseplants|Houseplant|Pokojová rostlina|Roślina doniczkowa|Стайно растение
succulents|Succulent|Sukulent|Sukulent|Сукулент
flower-pots|Flower pot|Květináč|Doniczka|Саксия
watering-cans|Watering can|Konev|Konewka|Лейка
garden-hoses|Garden hose|Zahradní hadice|Wąż ogrodowy|Градински маркуч
pruning-shears|Pruning shears|Zahradní nůžky|Sekator|Лозарска ножица
spades|Spade|Rýč|Szpadel|Лопата
garden-chairs|Garden chair|Zahradní židle|Krzesło ogrodowe|Градински стол
garden-tables|Garden table|Zahradní stůl|Stół ogrodowy|Градинска маса
sun-loungers|Sun lounger|Zahradní lehátko|Leżak|Шезлонг
solar-lights|Solar light|Solární světlo|Lampa solarna|Соларна лампа
teddy-bears|Teddy bear|Plyšový medvídek|Miś pluszowy|Плюшено мече
plush-animals|Plush toy|Plyšová hračka|Pluszak|Плюшена играчка
building-blocks|Building set|Stavebnice|Zestaw klocków|Конструктор
wooden-blocks|Wooden block set|Dřevěné kostky|Klocki drewniane|Дървени кубчета
board-games|Board game|Desková hra|Gra planszowa|Настолна игра
puzzles|Jigsaw puzzle|Puzzle|Puzzle|Пъзел
play-balls|Play ball|Dětský míč|Piłka dla dzieci|Детска топка
balance-bikes|Balance bike|Odrážedlo|Rowerek biegowy|Баланс колело
sand-toys|Sand toy set|Sada na písek|Zestaw do piasku|Комплект за пясък
novels|Book|Kniha|Książka|Книга
crime|Book|Kniha|Książka|Книга
fantasy|Book|Kniha|Książka|Книга
cookbooks|Book|Kniha|Książka|Книга
travel-guides|Book|Kniha|Książka|Книга
history|Book|Kniha|Książka|Книга
picture-books|Book|Kniha|Książka|Книга
young-adult|Book|Kniha|Książka|Книга
t-shirts|T-shirt|Tričko|Koszulka|Тениска
hoodies|Hoodie|Mikina|Bluza|Суитшърт
jackets|Jacket|Bunda|Kurtka|Яке
jeans|Jeans|Džíny|Dżinsy|Дънки
sneakers|Sneakers|Tenisky|Sneakersy|Кецове
boots|Ankle boots|Kotníkové boty|Botki|Боти
sandals|Sandals|Sandály|Sandały|Сандали
backpacks|Backpack|Batoh|Plecak|Раница
watches|Watch|Hodinky|Zegarek|Часовник
sunglasses|Sunglasses|Sluneční brýle|Okulary przeciwsłoneczne|Слънчеви очила
reusable-bottles|Reusable bottle|Lahev na pití|Butelka wielorazowa|Бутилка за многократна употреба
handbags|Handbag|Kabelka|Torebka|Дамска чанта
"""


def _rows(table: str) -> list[list[str]]:
    """Split a table into rows of fields; an indented line continues the row above it."""
    rows: list[str] = []
    for line in table.strip().splitlines():
        if line.startswith(" ") and rows:
            rows[-1] += line.strip()
        else:
            rows.append(line)
    return [row.split("|") for row in rows]


@dataclass(frozen=True, slots=True)
class _Leaf:
    id: str
    group: str
    motif: str
    profile: str
    axis: str
    text: str
    low: int
    high: int
    weight: int
    nouns: tuple[str, str, str, str]
    department: str


def _build_categories() -> tuple[list[DemoCategory], list[_Leaf]]:
    cats: list[DemoCategory] = []
    positions: dict[str, int] = {}
    department_of: dict[str, str] = {}
    for cid, parent, motif, en, cs, pl, bg in _rows(_TREE):
        key = parent or ""
        positions[key] = positions.get(key, 0) + 1
        department_of[cid] = department_of.get(parent, cid) if parent else cid
        cats.append(
            DemoCategory(cid, parent or None, {"en": en, "cs": cs, "pl": pl, "bg": bg}, motif, positions[key])
        )
    names = {row[0]: row[1:] for row in _rows(_LEAF_NAMES)}
    nouns = {row[0]: row[1:] for row in _rows(_LEAF_NOUNS)}
    leaves: list[_Leaf] = []
    by_group: dict[str, list[DemoCategory]] = {}
    for lid, group, motif, profile, axis, text, low, high, weight in _rows(_LEAF_META):
        en, cs, pl, bg = names[lid]
        n_en, n_cs, n_pl, n_bg = nouns[lid]
        # English product names are in title case ("Nordvik Table Lamp Lina"), the others in sentence case.
        n_en = " ".join(word[:1].upper() + word[1:] for word in n_en.split())
        key = group
        positions[key] = positions.get(key, 0) + 1
        by_group.setdefault(group, []).append(
            DemoCategory(lid, group, {"en": en, "cs": cs, "pl": pl, "bg": bg}, motif, positions[key])
        )
        leaves.append(
            _Leaf(
                lid,
                group,
                motif,
                profile,
                axis,
                text,
                int(low),
                int(high),
                int(weight),
                (n_en, n_cs, n_pl, n_bg),
                department_of[group],
            )
        )
    # Leaves come straight after their own group so that a reader of the list sees the tree in order.
    ordered: list[DemoCategory] = []
    for cat in cats:
        ordered.append(cat)
        ordered.extend(by_group.get(cat.id, ()))
    return ordered, leaves


_CATEGORIES, _LEAVES = _build_categories()


def categories() -> list[DemoCategory]:
    """The category tree, parents before children; leaves hold the products."""
    return list(_CATEGORIES)


# ------------------------------------------------------------------------------------------------ brands

# name | GS1 country prefix: each department has its own invented makers from around Europe and Asia.
_BRANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "home": (("Nordvik", "730"), ("Lindholm", "570"), ("Casavera", "800"), ("Dřevotvar", "859"),
             ("Woodlane", "500"), ("Kalmera", "590"), ("Hestia Living", "400"), ("Solvik", "731"),
             ("Mobilia Nova", "801"), ("Lumenta", "401")),
    "kitchen": (("Culina", "802"), ("Ferrano", "840"), ("Kuchtík", "859"), ("Brava Cucina", "803"),
                ("Steelbrook", "501"), ("Gastrona", "590"), ("Vitala", "380"), ("Kettlewood", "502"),
                ("Aromio", "402"), ("Bistroline", "300")),
    "electronics": (("Voltrix", "690"), ("Aurion", "880"), ("Kestrel Audio", "503"), ("Zentara", "691"),
                    ("Lumio", "471"), ("Orbix", "692"), ("Pixonic", "450"), ("Soundara", "403"),
                    ("Tekvara", "590"), ("Nexwave", "693")),
    "sport": (("Alpinex", "760"), ("Stridea", "404"), ("Velora", "804"), ("Trailix", "859"),
              ("Kinetra", "590"), ("Peakline", "900"), ("Sprintex", "380"), ("Cyklotron", "859"),
              ("Veloworks", "870"), ("Tundrix", "640")),
    "garden": (("Zelenka", "859"), ("Hortensia", "590"), ("Verdeo", "540"), ("Ogrodnik Plus", "590"),
               ("Florista", "871"), ("Rosalind", "405"), ("Leafwell", "504"), ("Terrano", "805"),
               ("Květomila", "858"), ("Aquaverde", "380")),
    "toys": (("Teddo", "859"), ("Kubiko", "590"), ("Bambolino", "806"), ("Playwood", "406"),
             ("Zabawkowo", "590"), ("Hopsa", "859"), ("Brickora", "571"), ("Pinwheel", "505"),
             ("Lumi Kids", "641"), ("Drakko", "380")),
    # Book publishers carry an ISBN registration group instead: 80 Czech, 83 Polish, 3 German, 1 English.
    "books": (("Lipová Press", "80"), ("Orbis Libri", "83"), ("Kalina Books", "80"), ("Papirus Nova", "83"),
              ("Sova & Lis", "80"), ("Vydra Publishing", "1"), ("Atramentum", "83"), ("Pergamena", "3"),
              ("Listopad Books", "80"), ("Raketa Books", "83")),
    "fashion": (("Mira Mode", "407"), ("Urbanfold", "590"), ("Stella Linea", "807"), ("Kotva Wear", "859"),
                ("Norrsken", "732"), ("Velvetta", "808"), ("Baltica Wear", "590"), ("Trekko", "901"),
                ("Soleo", "841"), ("Vintra", "380")),
}  # fmt: skip

# (brand name, GS1 or ISBN prefix, brand number): the number keeps company prefixes apart.
_BRAND_LIST: list[tuple[str, str, int]] = [
    (name, prefix, number) for number, (name, prefix) in enumerate(b for dep in _BRANDS.values() for b in dep)
]
_DEPARTMENT_BRANDS: dict[str, list[tuple[str, str, int]]] = {
    dep: [b for b in _BRAND_LIST if b[0] in {name for name, _ in brands}] for dep, brands in _BRANDS.items()
}

# ------------------------------------------------------------------------------------------------ models

_SOFT_MODELS: tuple[str, ...] = (
    "Lina", "Oskar", "Vega", "Aria", "Mira", "Tora", "Nova", "Luna", "Sola", "Edda", "Falk", "Greta", "Hugo",
    "Ivo", "Juno", "Kira", "Lars", "Maja", "Nils", "Odin", "Pia", "Runa", "Siri", "Tove", "Ulla", "Vida",
    "Yrsa", "Zora", "Alba", "Bora", "Cleo", "Dina", "Elin", "Frey", "Gaia", "Hedda", "Ilse", "Jara", "Kato",
    "Lumi", "Mateo", "Nela", "Otto", "Pola", "Rosa", "Saga", "Tilda", "Vilma", "Wera", "Ada", "Bruno", "Dora",
    "Emil", "Filip", "Hana", "Iris", "Jonas", "Karla", "Lotta", "Milo", "Nora", "Oliva", "Petra", "Ronja",
    "Stella", "Teo", "Viggo", "Alva", "Bjorn", "Carla", "Dalia", "Ebba", "Fenja", "Gustav", "Helmi",
)  # fmt: skip
_SOFT_SUFFIXES: tuple[str, ...] = ("", "", "", "", " II", " Plus", " Classic", " Mini", " XL", " Soft")
_TECH_LETTERS = "AXSMQRTZV"
_TECH_SUFFIXES: tuple[str, ...] = ("", "", " Pro", " Lite", " Max", " Plus", " Air", " Neo", " Ultra", " SE")
_PLANTS: tuple[str, ...] = (
    "Monstera deliciosa", "Ficus elastica", "Ficus lyrata", "Calathea orbifolia", "Sansevieria trifasciata",
    "Epipremnum aureum", "Zamioculcas zamiifolia", "Dracaena marginata", "Spathiphyllum wallisii",
    "Philodendron scandens", "Strelitzia nicolai", "Chlorophytum comosum", "Aglaonema Silver Bay",
    "Alocasia zebrina", "Pilea peperomioides", "Maranta leuconeura", "Howea forsteriana",
    "Yucca elephantipes",
)  # fmt: skip
_SUCCULENTS: tuple[str, ...] = (
    "Echeveria elegans", "Aloe vera", "Crassula ovata", "Haworthia fasciata", "Opuntia microdasys",
    "Mammillaria elongata", "Sedum morganianum", "Kalanchoe blossfeldiana", "Gasteria carinata",
    "Schlumbergera truncata", "Euphorbia trigona", "Senecio rowleyanus",
)  # fmt: skip
_PLUSH_NAMES: tuple[str, ...] = (
    "Bruno", "Méďa", "Pusia", "Tobi", "Fifi", "Kuba", "Lola", "Max", "Bubu", "Mimi", "Rudi", "Zuzi",
    "Hugo", "Pepa", "Misia", "Teddy", "Bobo", "Kiki",
)  # fmt: skip

# (Latin form, Cyrillic form) of invented authors.
_AUTHORS: tuple[tuple[str, str], ...] = (
    ("Klára Hrubá", "Клара Хруба"), ("Tomasz Wilk", "Томаш Вилк"), ("Elena Marinova", "Елена Маринова"),
    ("Jan Vávra", "Ян Вавра"), ("Agata Sowa", "Агата Сова"), ("Petar Kostov", "Петър Костов"),
    ("Marta Šimková", "Марта Шимкова"), ("Adam Lis", "Адам Лис"), ("Nora Lind", "Нора Линд"),
    ("Erik Holm", "Ерик Холм"), ("Irena Dobrá", "Ирена Добра"), ("Zofia Kruk", "Зофия Крук"),
    ("Viktor Ilchev", "Виктор Илчев"), ("Lena Berger", "Лена Бергер"), ("Hana Richter", "Хана Рихтер"),
    ("Michał Brzoza", "Михал Бжоза"), ("Daniela Petrova", "Даниела Петрова"), ("Ondřej Král", "Ондржей Крал"),
)  # fmt: skip

# en | cs | pl | bg book titles, per leaf
_TITLES_TABLE = """
novels|The Summer House|Letní dům|Letni dom|Лятната къща
novels|Letters from Vienna|Dopisy z Vídně|Listy z Wiednia|Писма от Виена
novels|The Last Train|Poslední vlak|Ostatni pociąg|Последният влак
novels|A House by the River|Dům u řeky|Dom nad rzeką|Къща край реката
novels|The Winter Orchard|Zimní sad|Zimowy sad|Зимната овощна градина
novels|The Lighthouse Keeper's Daughter|Dcera strážce majáku|Córka latarnika|Дъщерята на фаропазача
novels|Salt and Honey|Sůl a med|Sól i miód|Сол и мед
novels|Seven Summers|Sedm let|Siedem lat|Седем лета
crime|Silent Witness|Mlčenlivý svědek|Milczący świadek|Мълчаливият свидетел
crime|Night in the Old Town|Noc na Starém Městě|Noc na Starym Mieście|Нощ в Стария град
crime|The Ninth Key|Devátý klíč|Dziewiąty klucz|Деветият ключ
crime|Cold Trail|Vychladlá stopa|Zimny trop|Изстинала следа
crime|Murder at the Harbour|Vražda v přístavu|Morderstwo w porcie|Убийство в пристанището
crime|The Fourth Floor|Čtvrté patro|Czwarte piętro|Четвъртият етаж
fantasy|The Glass Crown|Skleněná koruna|Szklana korona|Стъклената корона
fantasy|Children of the Storm|Děti bouře|Dzieci burzy|Децата на бурята
fantasy|The Star Cartographer|Kartograf hvězd|Kartograf gwiazd|Картографът на звездите
fantasy|Dragon Winter|Dračí zima|Smocza zima|Драконова зима
fantasy|Beyond the Red Moon|Za rudým měsícem|Za czerwonym księżycem|Отвъд червената луна
fantasy|Station Europa|Stanice Europa|Stacja Europa|Станция Европа
cookbooks|Italian Home Cooking|Italská domácí kuchyně|Kuchnia włoska w domu|Италианска домашна кухня
cookbooks|One-Pot Dinners|Večeře z jednoho hrnce|Obiady z jednego garnka|Ястия в една тенджера
cookbooks|Baking with Grandma|Pečeme s babičkou|Pieczemy z babcią|Печем с баба
cookbooks|Vegetarian Every Day|Vegetariánsky každý den|Wegetariańsko na co dzień|Вегетарианско всеки ден
cookbooks|Soups for All Seasons|Polévky na celý rok|Zupy na cały rok|Супи за всеки сезон
cookbooks|Quick Breakfasts|Rychlé snídaně|Szybkie śniadania|Бързи закуски
travel-guides|Croatia: Coast and Islands|Chorvatsko: pobřeží a ostrovy|Chorwacja: wybrzeże i wyspy
    |Хърватия: крайбрежие и острови
travel-guides|Hiking in the Tatras|Pěšky po Tatrách|Wędrówki po Tatrach|Пешеходни маршрути в Татрите
travel-guides|Rome in Five Days|Řím za pět dní|Rzym w pięć dni|Рим за пет дни
travel-guides|Iceland|Island|Islandia|Исландия
travel-guides|Greece with Children|Řecko s dětmi|Grecja z dziećmi|Гърция с деца
travel-guides|The Balkans by Car|Balkán autem|Bałkany samochodem|Балканите с кола
history|A Short History of Central Europe|Stručné dějiny střední Evropy|Krótka historia Europy Środkowej
    |Кратка история на Централна Европа
history|Castles and Kings|Hrady a králové|Zamki i królowie|Замъци и крале
history|The Silk Road|Hedvábná stezka|Jedwabny szlak|Пътят на коприната
history|Empires on the Danube|Říše na Dunaji|Imperia nad Dunajem|Империите по Дунав
history|The Year 1989|Rok 1989|Rok 1989|Годината 1989
picture-books|Little Fox Goes Exploring|Lištička na výletě|Lisek na wycieczce|Малката лисица на разходка
picture-books|Good Night, Little Bear|Dobrou noc, medvídku|Dobranoc, misiu|Лека нощ, мече
picture-books|Colours of the Forest|Barvy lesa|Kolory lasu|Цветовете на гората
picture-books|My First Tractor|Můj první traktor|Mój pierwszy traktor|Моят първи трактор
picture-books|The Hedgehog Who Couldn't Sleep|Ježek, který nemohl spát|Jeżyk, który nie mógł zasnąć
    |Таралежчето, което не можеше да заспи
young-adult|Summer of Secrets|Léto tajemství|Lato tajemnic|Лято на тайни
young-adult|The Map of Tomorrow|Mapa zítřka|Mapa jutra|Картата на утрешния ден
young-adult|Run, Nina!|Utíkej, Nino!|Uciekaj, Nino!|Бягай, Нина!
young-adult|Signal Lost|Ztracený signál|Utracony sygnał|Изгубен сигнал
young-adult|Camp Birchwood|Tábor Březový háj|Obóz Brzozowy Gaj|Лагер „Брезова горичка“
"""


def _titles() -> dict[str, list[tuple[str, str, str, str]]]:
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for leaf, en, cs, pl, bg in _rows(_TITLES_TABLE):
        out.setdefault(leaf, []).append((en, cs, pl, bg))
    return out


_TITLES = _titles()

# ---------------------------------------------------------------------------------------------- variants

# axis -> (variant key, values, per-language labels or None when the value reads the same everywhere,
#          hue per value or None, price factor per value or None)
_COLOR_VALUES = ("black", "white", "grey", "blue", "red", "green", "beige", "yellow", "pink", "navy")
_COLOR_LABELS = (
    ("black", "white", "grey", "blue", "red", "green", "beige", "yellow", "pink", "navy"),
    ("černá", "bílá", "šedá", "modrá", "červená", "zelená", "béžová", "žlutá", "růžová", "tmavě modrá"),
    (
        "czarny",
        "biały",
        "szary",
        "niebieski",
        "czerwony",
        "zielony",
        "beżowy",
        "żółty",
        "różowy",
        "granatowy",
    ),
    ("черен", "бял", "сив", "син", "червен", "зелен", "бежов", "жълт", "розов", "тъмносин"),
)
_COLOR_HUES = (0.72, 0.14, 0.55, 0.6, 0.0, 0.33, 0.09, 0.16, 0.92, 0.67)
_FINISH_VALUES = ("oak", "walnut", "beech", "white", "black", "grey")
_FINISH_LABELS = (
    ("oak", "walnut", "beech", "white", "black", "grey"),
    ("dub", "ořech", "buk", "bílá", "černá", "šedá"),
    ("dąb", "orzech", "buk", "biały", "czarny", "szary"),
    ("дъб", "орех", "бук", "бял", "черен", "сив"),
)
_FINISH_HUES = (0.1, 0.05, 0.12, 0.15, 0.75, 0.58)
_FORMAT_VALUES = ("paperback", "hardcover", "audiobook")
_FORMAT_LABELS = (
    ("paperback", "hardcover", "audiobook"),
    ("brožovaná", "vázaná", "audiokniha"),
    ("miękka oprawa", "twarda oprawa", "audiobook"),
    ("меки корици", "твърди корици", "аудиокнига"),
)


@dataclass(frozen=True, slots=True)
class _Axis:
    key: str
    values: tuple[str, ...]
    # Per language: the text after the dash in a product name.
    labels: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    hues: tuple[float, ...] | None
    factors: tuple[float, ...] | None


def _same(values: tuple[str, ...], *prefixes: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p + v for v in values) for p in prefixes)


def _axis(
    key: str,
    values: tuple[str, ...],
    labels: tuple[tuple[str, ...], ...],
    hues: tuple[float, ...] | None = None,
    factors: tuple[float, ...] | None = None,
) -> _Axis:
    en, cs, pl, bg = labels
    return _Axis(key, values, (en, cs, pl, bg), hues, factors)


_APPAREL = ("XS", "S", "M", "L", "XL", "XXL")
_SHOE = tuple(str(s) for s in range(36, 47))
_PAN = ("20 cm", "24 cm", "26 cm", "28 cm", "32 cm")
_STORAGE = ("128 GB", "256 GB", "512 GB", "1 TB")
_FRAME = ("S", "M", "L", "XL")
_POT = ("12 cm", "14 cm", "17 cm", "21 cm")
_PLUSH = ("25 cm", "40 cm", "60 cm")

_AXES: dict[str, _Axis] = {
    "color": _axis("color", _COLOR_VALUES, _COLOR_LABELS, _COLOR_HUES),
    "finish": _axis("finish", _FINISH_VALUES, _FINISH_LABELS, _FINISH_HUES),
    "size_apparel": _axis("size", _APPAREL, _same(_APPAREL, "size ", "vel. ", "rozm. ", "размер ")),
    "size_shoe": _axis("size", _SHOE, _same(_SHOE, "EU ", "EU ", "EU ", "EU ")),
    "size_cm": _axis("size", _PAN, _same(_PAN, "⌀ ", "⌀ ", "⌀ ", "⌀ "), None, (0.8, 0.95, 1.0, 1.1, 1.3)),
    "storage": _axis("storage", _STORAGE, _same(_STORAGE, "", "", "", ""), None, (1.0, 1.15, 1.4, 1.75)),
    "frame": _axis("frame_size", _FRAME, _same(_FRAME, "frame ", "rám ", "rama ", "рамка ")),
    "pot": _axis("pot_size", _POT, _same(_POT, "⌀ ", "⌀ ", "⌀ ", "⌀ "), None, (0.7, 0.85, 1.0, 1.4)),
    "plush_size": _axis("size", _PLUSH, _same(_PLUSH, "", "", "", ""), None, (0.7, 1.0, 1.6)),
    "format": _axis("format", _FORMAT_VALUES, _FORMAT_LABELS, None, (1.0, 1.3, 0.9)),
}

# ------------------------------------------------------------------------------------------------- specs


# profile | key | values: "a;b;c", or "low..high/step unit" for a numeric range
_SPEC_TABLE = """
chair|material|oak;beech;ash;powder-coated steel;polypropylene;rattan
chair|seat_height|42..48/1 cm
chair|width|42..80/2 cm
chair|weight|3..18/1 kg
chair|max_load|110 kg;120 kg;130 kg;150 kg
sofa|upholstery|woven fabric;velvet;bouclé;linen blend;recycled polyester
sofa|seats|2;3;4
sofa|width|160..280/10 cm
sofa|depth|80..105/5 cm
sofa|removable_covers|yes;no
table|material|solid oak;oak veneer;walnut veneer;beech;steel and glass;teak
table|width|40..220/10 cm
table|depth|40..100/5 cm
table|height|45..76/1 cm
table|max_load|30 kg;50 kg;80 kg
lamp|socket|E27;E14;GU10;integrated LED
lamp|max_power|6..60/2 W
lamp|height|25..180/5 cm
lamp|cable_length|1.5 m;1.8 m;2 m
lamp|energy_class|A;B;C;D;E;F
bulb|socket|E27;E14;GU10
bulb|power|4.9 W;6 W;8.5 W;11 W;13 W
bulb|luminous_flux|470 lm;806 lm;1055 lm;1521 lm
bulb|colour_temperature|2700 K;3000 K;4000 K;6500 K
bulb|lifetime|15 000 h;25 000 h
decor|material|ceramic;glass;stoneware;terracotta;brass
decor|height|12..60/2 cm
decor|diameter|8..30/1 cm
decor|handmade|yes;no
cushion|size|40 × 40 cm;45 × 45 cm;50 × 50 cm;30 × 50 cm
cushion|cover|cotton;linen;velvet;bouclé
cushion|filling|polyester fibre;feathers
cushion|removable_cover|yes
clock|diameter|25..50/5 cm
clock|movement|silent sweep;quartz;radio-controlled
clock|material|wood;metal;glass
clock|battery|1 × AA
cookware|material|aluminium;stainless steel;cast iron;carbon steel
cookware|coating|ceramic;titanium-reinforced;none
cookware|induction|yes
cookware|oven_safe|180 °C;220 °C;260 °C
cookware|dishwasher_safe|yes;no
bakeware|material|borosilicate glass;stoneware;enamelled steel
bakeware|size|25 × 20 cm;30 × 22 cm;35 × 24 cm
bakeware|oven_safe|250 °C;300 °C
bakeware|dishwasher_safe|yes
tableware|material|porcelain;stoneware;bone china;earthenware
tableware|volume|250..500/50 ml
tableware|dishwasher_safe|yes
tableware|microwave_safe|yes
tableware|pieces|1;2;4;6
glassware|material|soda-lime glass;crystal glass;borosilicate glass
glassware|volume|200..500/50 ml
glassware|pieces|2;4;6
glassware|dishwasher_safe|yes
cutlery|pieces|16;24;30
cutlery|material|stainless steel 18/10;stainless steel 18/0
cutlery|finish|polished;matte;gold-coloured
cutlery|dishwasher_safe|yes
container|material|glass;BPA-free plastic;stainless steel
container|pieces|3;5;10
container|volume|0.4 l;0.6 l;1 l;1.5 l
container|freezer_safe|yes
bottle|volume|350 ml;500 ml;750 ml;1000 ml
bottle|material|stainless steel;Tritan;glass
bottle|keeps_cold|12 h;24 h
bottle|bpa_free|yes
appliance|power|800..2400/200 W
appliance|capacity|0.5 l;1 l;1.2 l;1.7 l
appliance|cable_length|0.75 m;1 m;1.2 m
appliance|auto_off|yes
appliance|warranty|24 months;36 months
audio|battery_life|8..60/4 h
audio|bluetooth|5.0;5.2;5.3;5.4
audio|noise_cancelling|yes;no
audio|water_resistance|IPX4;IPX5;IP67
audio|weight|40..600/20 g
soundbar|power|80..400/40 W
soundbar|channels|2.0;2.1;3.1;5.1
soundbar|connections|HDMI eARC, optical, Bluetooth;HDMI ARC, Bluetooth
soundbar|subwoofer|wireless;built-in
phone|display|6.1";6.4";6.6";6.8"
phone|ram|6 GB;8 GB;12 GB
phone|battery|4000..5500/250 mAh
phone|camera|48 MP;50 MP;108 MP;200 MP
phone|os|Android 15;Android 16
tablet|display|8.7";10.9";11";12.4"
tablet|ram|4 GB;6 GB;8 GB
tablet|battery|7000..10000/500 mAh
tablet|stylus_support|yes;no
laptop|display|13.3";14";15.6";16"
laptop|cpu_cores|8;10;12;16
laptop|ram|8 GB;16 GB;32 GB
laptop|weight|1.2 kg;1.4 kg;1.7 kg;2.1 kg
laptop|battery_life|8..20/2 h
monitor|size|24";27";32";34"
monitor|resolution|1920 × 1080;2560 × 1440;3840 × 2160
monitor|refresh_rate|60 Hz;75 Hz;144 Hz;165 Hz
monitor|panel|IPS;VA;OLED
case|compatibility|6.1" phones;6.4" phones;6.7" phones
case|material|silicone;TPU;recycled leather;polycarbonate
case|drop_protection|1.2 m;2 m;3 m
case|wireless_charging|compatible
charger|power|20 W;30 W;45 W;65 W;100 W
charger|ports|1 × USB-C;2 × USB-C;USB-C + USB-A
charger|cable_length|1 m;1.5 m;2 m
charger|fast_charging|USB PD 3.0;USB PD 3.1
powerbank|capacity|5000 mAh;10000 mAh;20000 mAh;26800 mAh
powerbank|output|20 W;30 W;65 W
powerbank|ports|2;3
powerbank|weight|120..480/20 g
peripheral|connection|USB-C;Bluetooth;2.4 GHz wireless;Bluetooth + 2.4 GHz
peripheral|battery_life|3 months;6 months;12 months
peripheral|layout|CZ;PL;BG;US
peripheral|weight|60..900/20 g
wearable|display|1.4";1.6";1.8";1.9"
wearable|battery_life|5..21/2 days
wearable|water_resistance|5 ATM;10 ATM
wearable|gps|yes;no
wearable|strap|silicone;nylon;stainless steel
watch|case|34..44/2 mm
watch|movement|quartz;automatic;solar
watch|water_resistance|3 ATM;5 ATM;10 ATM
watch|strap|leather;stainless steel;nylon
watch|glass|mineral;sapphire
bike|frame|aluminium;steel;carbon
bike|wheel_size|27.5";28";29"
bike|gears|7;8;10;12;21;24
bike|brakes|hydraulic disc;mechanical disc;rim
bike|weight|10..17/1 kg
kidbike|wheel_size|16";20";24"
kidbike|gears|1;6;7
kidbike|age|4+;6+;8+
kidbike|weight|6..11/1 kg
helmet|size|S 52–56 cm;M 55–59 cm;L 58–62 cm
helmet|weight|220..380/20 g
helmet|vents|12;14;16;18;20;22;24
helmet|standard|EN 1078
bikelight|front|200 lm;400 lm;800 lm
bikelight|rear|20 lm;50 lm
bikelight|charging|USB-C
bikelight|water_resistance|IPX4;IPX6
ball|size|3;4;5;7
ball|material|synthetic leather;rubber;PU
ball|weight|260..620/20 g
ball|use|training;match;street
tennisball|pieces|3;4
tennisball|type|pressurised;pressureless
tennisball|surface|all courts;clay;hard court
shoe|upper|engineered mesh;leather;suede;recycled textile
shoe|sole|rubber;EVA foam;lugged rubber
shoe|weight|220..520/20 g
shoe|drop|4 mm;6 mm;8 mm;10 mm
shoe|waterproof|yes;no
apparel|material|100% cotton;organic cotton;60% cotton, 40% polyester;recycled polyester
apparel|fit|regular;slim;relaxed;oversized
apparel|care|wash at 30 °C;wash at 40 °C
apparel|made_in|Portugal;Türkiye;Poland;Bangladesh
jacket|material|recycled polyester;nylon;softshell;wool blend
jacket|waterproof|5 000 mm;10 000 mm;20 000 mm
jacket|hood|yes;no
jacket|fit|regular;slim;relaxed
bag|volume|10..45/5 l
bag|material|recycled polyester;nylon;canvas;leather
bag|laptop_compartment|13";15.6";none
bag|weight|300..1500/100 g
bag|water_repellent|yes;no
eyewear|lens_category|2;3
eyewear|uv_protection|UV400
eyewear|polarised|yes;no
eyewear|frame|acetate;metal;TR90
plant|height|15..120/5 cm
plant|light|bright indirect;partial shade;full sun
plant|watering|weekly;every two weeks;monthly
plant|pet_safe|yes;no
flowerpot|material|ceramic;terracotta;recycled plastic;concrete
flowerpot|diameter|12..40/2 cm
flowerpot|drainage_hole|yes;no
flowerpot|frost_resistant|yes;no
gardentool|material|steel;stainless steel;aluminium;recycled plastic
gardentool|handle|ash wood;fibreglass;plastic
gardentool|weight|200..2000/100 g
gardentool|warranty|2 years;5 years;10 years
hose|length|15 m;20 m;25 m;30 m;50 m
hose|diameter|1/2";5/8";3/4"
hose|layers|3;4;5
hose|max_pressure|20 bar;25 bar;30 bar
solar|battery|600 mAh;1200 mAh;2000 mAh
solar|light_duration|6..12/2 h
solar|water_resistance|IP44;IP65
solar|colour_temperature|2700 K;3000 K
plush|material|polyester plush;organic cotton
plush|age|0+;1+;3+
plush|washable|30 °C
plush|standard|EN 71
blocks|pieces|50..1500/50
blocks|age|3+;6+;8+;12+
blocks|material|ABS plastic;beech wood;bio-based plastic
blocks|standard|EN 71
game|players|2–4;2–6;1–5;3–8
game|age|6+;8+;10+;12+
game|playing_time|20 min;30 min;45 min;60 min;90 min
game|languages|CZ, PL, BG, EN
puzzle|pieces|100;300;500;1000;1500;2000
puzzle|size|48 × 34 cm;68 × 48 cm;85 × 60 cm
puzzle|age|6+;9+;12+
balancebike|wheel_size|10";12"
balancebike|material|birch wood;steel;aluminium
balancebike|age|2+;3+
balancebike|weight|2.9 kg;3.4 kg;3.9 kg
sandtoy|pieces|5;7;9;12
sandtoy|material|recycled plastic;PP plastic
sandtoy|age|1+;2+;3+
book|pages|96..640/16
book|size|13 × 20 cm;15 × 21 cm;17 × 24 cm
book|year|2021;2022;2023;2024;2025;2026
"""


def _spec_values(text: str) -> tuple[str, ...]:
    if ".." not in text:
        return tuple(text.split(";"))
    span, _, unit = text.partition(" ")
    bounds, _, step = span.partition("/")
    low, _, high = bounds.partition("..")
    return tuple(f"{v} {unit}".rstrip() for v in range(int(low), int(high) + 1, int(step)))


def _spec_lists() -> dict[str, tuple[tuple[str, tuple[str, ...], int], ...]]:
    out: dict[str, list[tuple[str, tuple[str, ...], int]]] = {}
    for profile, key, text in _rows(_SPEC_TABLE):
        values = _spec_values(text)
        out.setdefault(profile, []).append((key, values, len(values)))
    return {profile: tuple(entries) for profile, entries in out.items()}


_SPEC_LISTS = _spec_lists()


# ------------------------------------------------------------------------------------------ descriptions

# kind -> (intro per language, feature per language); {brand} and {model} are filled in.
_TEXTS: dict[str, tuple[tuple[str, str, str, str], tuple[str, str, str, str]]] = {
    "furniture": (
        ("The {model} by {brand} pairs clean Scandinavian lines with everyday comfort.",
         "Model {model} od značky {brand} spojuje čisté skandinávské linie s pohodlím na každý den.",
         "Model {model} marki {brand} łączy prostą skandynawską linię z wygodą na co dzień.",
         "Моделът {model} на {brand} съчетава изчистени скандинавски линии с удобство за всеки ден."),
        ("Solid construction, quick assembly and surfaces that are easy to keep clean.",
         "Pevná konstrukce, rychlá montáž a povrch, který se snadno udržuje.",
         "Solidna konstrukcja, szybki montaż i powierzchnia łatwa w utrzymaniu czystości.",
         "Здрава конструкция, бърз монтаж и повърхност, която се поддържа лесно."),
    ),
    "decor": (
        ("The {model} by {brand} adds a calm, natural accent to any interior.",
         "Model {model} od značky {brand} dodá každému interiéru klidný a přirozený akcent.",
         "Model {model} marki {brand} doda każdemu wnętrzu spokojnego, naturalnego akcentu.",
         "Моделът {model} на {brand} добавя спокоен, естествен акцент към всеки интериор."),
        ("Carefully finished details and a timeless shape that suits many styles.",
         "Pečlivě zpracované detaily a nadčasový tvar, který se hodí k mnoha stylům.",
         "Starannie wykończone detale i ponadczasowy kształt pasujący do wielu stylów.",
         "Прецизно изработени детайли и класическа форма, която подхожда на много стилове."),
    ),
    "lighting": (
        ("The {model} by {brand} gives a warm, glare-free light for reading and relaxing.",
         "Model {model} od značky {brand} dává teplé světlo bez oslnění, ideální na čtení i odpočinek.",
         "Model {model} marki {brand} daje ciepłe, nieoślepiające światło do czytania i relaksu.",
         "Моделът {model} на {brand} дава топла светлина без заслепяване – за четене и почивка."),
        ("Energy-efficient LED technology keeps running costs low.",
         "Úsporná LED technologie šetří náklady na provoz.",
         "Energooszczędna technologia LED obniża koszty eksploatacji.",
         "Енергоспестяващата LED технология намалява разходите за ток."),
    ),
    "cookware": (
        ("The {model} by {brand} heats quickly and evenly on every hob, including induction.",
         "Model {model} od značky {brand} se rychle a rovnoměrně prohřeje na každé desce včetně indukce.",
         "Model {model} marki {brand} szybko i równo nagrzewa się na każdej płycie, także indukcyjnej.",
         "Моделът {model} на {brand} загрява бързо и равномерно на всички котлони, включително индукционни."),
        ("The surface needs very little oil and cleans up in seconds.",
         "Povrch vyžaduje minimum oleje a umyjete ho během chvilky.",
         "Powierzchnia wymaga minimum tłuszczu i myje się ją w kilka chwil.",
         "Повърхността изисква съвсем малко мазнина и се почиства за секунди."),
    ),
    "tableware": (
        ("The {model} collection by {brand} brings café style to everyday meals.",
         "Kolekce {model} od značky {brand} přináší kavárenský styl ke každodennímu stolování.",
         "Kolekcja {model} marki {brand} wnosi kawiarniany styl do codziennych posiłków.",
         "Колекцията {model} на {brand} внася стил на кафене в ежедневното хранене."),
        ("Made from food-safe materials and sturdy enough for daily use.",
         "Vyrobeno z materiálů vhodných pro styk s potravinami a dost odolné pro každodenní použití.",
         "Wykonane z materiałów bezpiecznych dla żywności i wytrzymałe na co dzień.",
         "Изработено от материали, безопасни за храни, и достатъчно здраво за всеки ден."),
    ),
    "appliance": (
        ("The {model} by {brand} makes your morning routine faster and simpler.",
         "Model {model} od značky {brand} zrychlí a zjednoduší vaši ranní rutinu.",
         "Model {model} marki {brand} przyspieszy i uprości poranną rutynę.",
         "Моделът {model} на {brand} прави сутрешната рутина по-бърза и по-лесна."),
        ("Automatic switch-off and overheating protection for peace of mind.",
         "Automatické vypínání a ochrana proti přehřátí pro klidnou mysl.",
         "Automatyczne wyłączanie i zabezpieczenie przed przegrzaniem zapewniają spokój.",
         "Автоматично изключване и защита от прегряване за повече спокойствие."),
    ),
    "audio": (
        ("The {model} by {brand} delivers rich bass and clear vocals wherever you are.",
         "Model {model} od značky {brand} nabízí plné basy a čisté vokály, ať jste kdekoli.",
         "Model {model} marki {brand} oferuje mocny bas i czysty wokal, gdziekolwiek jesteś.",
         "Моделът {model} на {brand} предлага плътен бас и ясни вокали, където и да сте."),
        ("Pairs in seconds and a single charge lasts all day.",
         "Spáruje se během pár sekund a jedno nabití vydrží celý den.",
         "Paruje się w kilka sekund, a jedno ładowanie wystarcza na cały dzień.",
         "Сдвоява се за секунди, а едно зареждане стига за цял ден."),
    ),
    "device": (
        ("The {model} by {brand} combines a sharp display with performance for work and play.",
         "Model {model} od značky {brand} spojuje ostrý displej s výkonem pro práci i zábavu.",
         "Model {model} marki {brand} łączy ostry wyświetlacz z wydajnością do pracy i rozrywki.",
         "Моделът {model} на {brand} съчетава ясен дисплей с производителност за работа и забавление."),
        ("Fast charging and a long-lasting battery get you through a busy day.",
         "Rychlé nabíjení a výdržná baterie vás podrží po celý náročný den.",
         "Szybkie ładowanie i wydajna bateria wystarczą na cały intensywny dzień.",
         "Бързото зареждане и издръжливата батерия ще ви стигнат за цял натоварен ден."),
    ),
    "el_accessory": (
        ("The {model} by {brand} is a reliable everyday companion for your devices.",
         "Model {model} od značky {brand} je spolehlivým každodenním pomocníkem pro vaše zařízení.",
         "Model {model} marki {brand} to niezawodny towarzysz Twoich urządzeń na co dzień.",
         "Моделът {model} на {brand} е надежден ежедневен помощник за вашите устройства."),
        ("Tested for compatibility with popular phones, tablets and laptops.",
         "Testováno na kompatibilitu s oblíbenými telefony, tablety a notebooky.",
         "Przetestowano pod kątem zgodności z popularnymi telefonami, tabletami i laptopami.",
         "Тествано за съвместимост с популярни телефони, таблети и лаптопи."),
    ),
    "wearable": (
        ("The {model} by {brand} keeps track of your steps, sleep and workouts.",
         "Model {model} od značky {brand} sleduje vaše kroky, spánek i tréninky.",
         "Model {model} marki {brand} monitoruje Twoje kroki, sen i treningi.",
         "Моделът {model} на {brand} следи стъпките, съня и тренировките ви."),
        ("Water resistant, so it can stay on your wrist even in the pool.",
         "Je voděodolný, takže ho nemusíte sundávat ani v bazénu.",
         "Jest wodoszczelny, więc nie trzeba go zdejmować nawet na basenie.",
         "Водоустойчив е, така че може да остане на ръката ви дори в басейна."),
    ),
    "bike": (
        ("The {model} by {brand} is built for confident riding on city streets and forest trails.",
         "Model {model} od značky {brand} je stavěný pro jistou jízdu po městě i po lesních stezkách.",
         "Model {model} marki {brand} zapewnia pewną jazdę po mieście i leśnych ścieżkach.",
         "Моделът {model} на {brand} е създаден за уверено каране в града и по горски пътеки."),
        ("Reliable brakes and a light frame make every ride safer and easier.",
         "Spolehlivé brzdy a lehký rám zajistí bezpečnější a pohodlnější jízdu.",
         "Niezawodne hamulce i lekka rama sprawiają, że każda jazda jest bezpieczniejsza i łatwiejsza.",
         "Надеждните спирачки и леката рамка правят всяко каране по-безопасно и по-леко."),
    ),
    "sport": (
        ("The {model} by {brand} is made for training, matches and weekend fun.",
         "Model {model} od značky {brand} je určen pro trénink, zápasy i víkendovou zábavu.",
         "Model {model} marki {brand} sprawdzi się na treningu, w meczu i w weekend.",
         "Моделът {model} на {brand} е създаден за тренировки, мачове и забавления през уикенда."),
        ("Durable materials withstand regular use outdoors.",
         "Odolné materiály zvládnou pravidelné používání venku.",
         "Wytrzymałe materiały znoszą regularne użytkowanie na zewnątrz.",
         "Издръжливите материали издържат на редовна употреба на открито."),
    ),
    "footwear": (
        ("The {model} by {brand} offers a cushioned, stable step from the first kilometre.",
         "Model {model} od značky {brand} nabízí odpružený a stabilní krok od prvního kilometru.",
         "Model {model} marki {brand} zapewnia amortyzację i stabilny krok od pierwszego kilometra.",
         "Моделът {model} на {brand} осигурява омекотена и стабилна стъпка още от първия километър."),
        ("A breathable upper keeps feet dry and the grippy sole holds even on wet ground.",
         "Prodyšný svršek udržuje nohy v suchu a přilnavá podrážka drží i na mokrém povrchu.",
         "Oddychająca cholewka utrzymuje stopy w suchości, a przyczepna podeszwa trzyma nawet na mokrym.",
         "Дишащото горнище поддържа краката сухи, а сцепливата подметка държи и на мокро."),
    ),
    "apparel": (
        ("The {model} by {brand} is a comfortable everyday piece with an easy fit.",
         "Model {model} od značky {brand} je pohodlný kousek na každý den s volnějším střihem.",
         "Model {model} marki {brand} to wygodna rzecz na co dzień o swobodnym kroju.",
         "Моделът {model} на {brand} е удобна дреха за всеки ден със свободна кройка."),
        ("Soft, breathable fabric that keeps its shape wash after wash.",
         "Měkká a prodyšná látka, která si drží tvar i po mnoha praních.",
         "Miękka, oddychająca tkanina, która zachowuje fason pranie po praniu.",
         "Мека, дишаща материя, която запазва формата си пране след пране."),
    ),
    "accessory": (
        ("The {model} by {brand} is a stylish accessory for every day.",
         "Model {model} od značky {brand} je stylový doplněk na každý den.",
         "Model {model} marki {brand} to stylowy dodatek na co dzień.",
         "Моделът {model} на {brand} е стилен аксесоар за всеки ден."),
        ("Quality materials and careful workmanship for years of use.",
         "Kvalitní materiály a pečlivé zpracování na roky používání.",
         "Wysokiej jakości materiały i staranne wykonanie na lata.",
         "Качествени материали и прецизна изработка за години употреба."),
    ),
    "plant": (
        ("{model} is an easy-going plant that brightens up any room.",
         "{model} je nenáročná rostlina, která oživí každý interiér.",
         "{model} to niewymagająca roślina, która ożywi każde wnętrze.",
         "{model} е непретенциозно растение, което оживява всяка стая."),
        ("Grown by {brand} and supplied in a nursery pot, ready for a decorative planter.",
         "Vypěstováno ve školce {brand}, dodáváno v pěstebním květináči připravené do obalu.",
         "Wyhodowana przez {brand}, dostarczana w doniczce produkcyjnej, gotowa do wstawienia w osłonkę.",
         "Отгледано от {brand} и доставено в пластмасова саксия, готово за декоративно кашпо."),
    ),
    "garden": (
        ("The {model} by {brand} makes garden work lighter and more enjoyable.",
         "Model {model} od značky {brand} usnadní a zpříjemní práci na zahradě.",
         "Model {model} marki {brand} ułatwi i uprzyjemni prace w ogrodzie.",
         "Моделът {model} на {brand} прави работата в градината по-лека и приятна."),
        ("Weather-resistant materials stay good-looking season after season.",
         "Materiály odolné vůči povětrnostním vlivům vydrží sezónu za sezónou.",
         "Materiały odporne na warunki atmosferyczne wytrzymują sezon za sezonem.",
         "Устойчивите на атмосферни влияния материали издържат сезон след сезон."),
    ),
    "toy": (
        ("The {model} by {brand} encourages creativity and imaginative play.",
         "Hračka {model} od značky {brand} rozvíjí kreativitu a fantazii.",
         "Zabawka {model} marki {brand} rozwija kreatywność i wyobraźnię.",
         "Играчката {model} на {brand} развива творчеството и въображението."),
        ("Tested to EU toy safety standards and made from non-toxic materials.",
         "Testováno podle evropských norem bezpečnosti hraček, z netoxických materiálů.",
         "Przetestowano zgodnie z europejskimi normami bezpieczeństwa zabawek; materiały są nietoksyczne.",
         "Тествано според европейските стандарти за безопасност на играчките, от нетоксични материали."),
    ),
    "bottle": (
        ("The {model} by {brand} keeps drinks at the right temperature for hours and fits any bag.",
         "Model {model} od značky {brand} udrží nápoj dlouho v ideální teplotě a vejde se do každé tašky.",
         "Model {model} marki {brand} długo utrzymuje temperaturę napoju i zmieści się w każdej torbie.",
         "Моделът {model} на {brand} пази температурата на напитката с часове и се побира във всяка чанта."),
        ("A leak-proof lid, no BPA and easy cleaning.",
         "Těsné víčko, bez BPA a snadné čištění.",
         "Szczelna nakrętka, bez BPA i łatwe czyszczenie.",
         "Херметична капачка, без BPA и лесно почистване."),
    ),
    "plush": (
        ("{model} from {brand} is a soft, cuddly friend for naps and adventures.",
         "{model} od značky {brand} je měkký kamarád na spaní i na výlety.",
         "{model} marki {brand} to miękki przyjaciel do spania i na wycieczki.",
         "{model} на {brand} е мек приятел за сън и приключения."),
        ("Machine washable at 30 °C and safe from birth.",
         "Lze prát v pračce na 30 °C, vhodné od narození.",
         "Można prać w pralce w 30 °C, odpowiednie od urodzenia.",
         "Може да се пере в пералня на 30 °C, подходящо от раждането."),
    ),
    "book": (
        ("“{model}” by {author}, published by {brand}.",
         "„{model}“ – {author}, vydává {brand}.",
         "„{model}” – {author}, wydawnictwo {brand}.",
         "„{model}“ от {author}, издателство {brand}."),
        ("A book for long evenings and a welcome gift.",
         "Kniha na dlouhé večery i jako dárek, který potěší.",
         "Książka na długie wieczory i prezent, który ucieszy.",
         "Книга за дългите вечери и подарък, който радва."),
    ),
}  # fmt: skip

_CLOSINGS: tuple[tuple[str, str, str, str], ...] = (
    ("Covered by a 24-month warranty.", "Na výrobek se vztahuje záruka 24 měsíců.",
     "Produkt objęty jest 24-miesięczną gwarancją.", "Продуктът е с гаранция 24 месеца."),
    ("Order online and pick it up in one of our stores.", "Objednejte online a vyzvedněte na prodejně.",
     "Zamów online i odbierz w sklepie.", "Поръчайте онлайн и вземете от магазина."),
    ("Free returns within 30 days.", "Vrácení do 30 dnů zdarma.", "Bezpłatny zwrot w ciągu 30 dni.",
     "Безплатно връщане в рамките на 30 дни."),
)  # fmt: skip
_NO_WARRANTY = frozenset({"plant", "book"})

# ------------------------------------------------------------------------------------------------ prices


def _czk_price(value: float) -> int:
    """A shelf price in whole crowns with a psychological ending: 19, 249, 1 290, 12 990."""
    if value < 1000:
        return max(19, int(value / 10) * 10 + 9)
    if value < 10000:
        return int(value / 100) * 100 + 90
    return int(value / 1000) * 1000 + 990


def _minor_price(value: float) -> int:
    """PLN or EUR in minor units, ending in .99 below 200 and in 9.99 above."""
    if value < 200:
        return max(99, int(value) * 100 + 99)
    return int(value / 10) * 1000 + 999


# Shelf prices repeat a lot (there are only so many price points), so each is converted once.
_PRICE_POINTS: dict[int, tuple[int, int, int]] = {}


def _prices(czk: float) -> dict[str, int]:
    shelf = _czk_price(czk)
    point = _PRICE_POINTS.get(shelf)
    if point is None:
        # Each market rounds its converted price down to its own price point, as a retailer would.
        point = (shelf * 100, _minor_price(shelf / 5.9 - 0.5), _minor_price(shelf / 25 - 0.5))
        _PRICE_POINTS[shelf] = point
    return {"CZK": point[0], "PLN": point[1], "EUR": point[2]}


# ---------------------------------------------------------------------------------------------- products


@dataclass(frozen=True, slots=True)
class _LeafPlan:
    """What the generator needs per leaf, looked up once instead of per product."""

    leaf: _Leaf
    brands: tuple[tuple[str, str, int], ...]
    specs: tuple[tuple[str, tuple[str, ...], int], ...]
    axis: _Axis | None
    # Per (brand, closing, with feature): per language the description text before and after the model name.
    texts: dict[tuple[int, int, bool], tuple[tuple[str, str], ...]]
    closings: int
    log_low: float
    log_span: float
    model_style: str


def _sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _description_parts(
    leaf: _Leaf, brand: str, closing: tuple[str, str, str, str], feature: bool
) -> tuple[tuple[str, str], ...]:
    intro, extra = _TEXTS[leaf.text]
    parts = []
    for i in range(4):
        first = intro[i].format(model="\0", brand=brand, author="")
        text = _sentences(first, extra[i].format(brand=brand) if feature else "", closing[i])
        before, _, after = text.partition("\0")
        parts.append((before, after))
    return tuple(parts)


def _plans() -> tuple[list[_LeafPlan], list[float]]:
    plans = []
    for leaf in _LEAVES:
        closings = _CLOSINGS[1:] if leaf.text in _NO_WARRANTY else _CLOSINGS
        brands = tuple(_DEPARTMENT_BRANDS[leaf.department])
        texts = {
            (b, c, feature): _description_parts(leaf, brand[0], closing, feature)
            for b, brand in enumerate(brands)
            for c, closing in enumerate(closings)
            for feature in (False, True)
        }
        if leaf.text in _TECH_TEXTS:
            style = "tech"
        elif leaf.text in ("plant", "plush", "book"):
            style = leaf.text
        else:
            style = "soft"
        plans.append(
            _LeafPlan(
                leaf,
                brands,
                _SPEC_LISTS[leaf.profile],
                _AXES.get(leaf.axis),
                texts,
                len(closings),
                math.log(leaf.low),
                math.log(leaf.high) - math.log(leaf.low),
                style,
            )
        )
    return plans, list(accumulate(float(leaf.weight) for leaf in _LEAVES))


_TECH_TEXTS = frozenset({"audio", "device", "el_accessory", "wearable", "appliance"})
_PLANS, _CUM_WEIGHTS = _plans()
_TOTAL_WEIGHT = _CUM_WEIGHTS[-1]
# Most products have two or three pictures, a few only one.
_IMAGES = (1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4)

# The GS1 check digit is a weighted sum mod 10, so the check digit of company + item is the sum of the
# check digits of company + zeros and zeros + item: make_gtin13 runs once per company and per item number
# instead of once per product, which is most of the cost of a million products.
_COMPANY: dict[int, tuple[str, int]] = {}
_ITEM: dict[int, tuple[str, int]] = {}


def _gtin(prefix: str, brand_number: int, index: int) -> str:
    """A unique GTIN-13 for the product at catalog position ``index``.

    Each brand owns a run of 100 company numbers and each company number 100,000 item numbers,
    so the position alone decides the code and no two positions share one.
    """
    if len(prefix) < 3:
        # Books: ISBN-13 under 978 and the publisher's registration group (one or two digits).
        rest = 9 - len(prefix)
        return make_gtin13(f"978{prefix}{index * 7919 % 10**rest:0{rest}d}")
    company_number = 1000 + brand_number * 100 + index // 100_000
    # Company numbers are unique across brands, so the number alone identifies the prefix too.
    company = _COMPANY.get(company_number)
    if company is None:
        digits = f"{prefix}{company_number:04d}"
        company = _COMPANY[company_number] = (digits, int(make_gtin13(digits + "00000")[12]))
    item_number = (index % 100_000) * 7919 % 100_000
    item = _ITEM.get(item_number)
    if item is None:
        digits = f"{item_number:05d}"
        item = _ITEM[item_number] = (digits, int(make_gtin13("0000000" + digits)[12]))
    return f"{company[0]}{item[0]}{(company[1] + item[1]) % 10}"


def _model_name(rand: Callable[[], float], plan: _LeafPlan) -> str:
    style = plan.model_style
    if style == "tech":
        letter = _TECH_LETTERS[int(rand() * len(_TECH_LETTERS))]
        number = int(rand() * 9 + 1) * (10 if rand() < 0.5 else 100)
        return f"{letter}{number}{_TECH_SUFFIXES[int(rand() * len(_TECH_SUFFIXES))]}"
    if style == "plant":
        pool = _SUCCULENTS if plan.leaf.id == "succulents" else _PLANTS
        return pool[int(rand() * len(pool))]
    if style == "plush":
        return _PLUSH_NAMES[int(rand() * len(_PLUSH_NAMES))]
    suffix = _SOFT_SUFFIXES[int(rand() * len(_SOFT_SUFFIXES))]
    return _SOFT_MODELS[int(rand() * len(_SOFT_MODELS))] + suffix


def _book_texts(
    rand: Callable[[], float], plan: _LeafPlan, brand: str, closing: int, feature: bool
) -> tuple[tuple[str, str, str, str], dict[str, str]]:
    titles = _TITLES[plan.leaf.id]
    title = titles[int(rand() * len(titles))]
    latin, cyrillic = _AUTHORS[int(rand() * len(_AUTHORS))]
    authors = (latin, latin, latin, cyrillic)
    intro, extra = _TEXTS["book"]
    closings = _CLOSINGS[1:]
    names = (
        f"{title[0]} – {latin}",
        f"{title[1]} – {latin}",
        f"{title[2]} – {latin}",
        f"{title[3]} – {cyrillic}",
    )
    descriptions = {
        lang: _sentences(
            intro[i].format(model=title[i], brand=brand, author=authors[i]),
            extra[i] if feature else "",
            closings[closing][i],
        )
        for i, lang in enumerate(LANGUAGES)
    }
    return names, descriptions


# A frozen dataclass's __init__ sets each field through object.__setattr__, which is a third of the cost
# of a product; storing straight into the slots gives the same object at half the price.
_P_NEW = object.__new__
(_P_SKU, _P_GTIN, _P_PARENT, _P_CATEGORY, _P_BRAND, _P_NAMES, _P_DESCRIPTIONS, _P_PRICES, _P_SPECS,
 _P_VARIANT, _P_MOTIF, _P_HUE, _P_IMAGES, _P_POPULARITY) = (
    getattr(DemoProduct, f.name).__set__ for f in fields(DemoProduct)
)  # fmt: skip


def _product(
    sku: str,
    gtin: str,
    parent_sku: str | None,
    category_id: str,
    brand: str,
    names: dict[str, str],
    descriptions: dict[str, str],
    prices: dict[str, int],
    specs: dict[str, str],
    variant: dict[str, str] | None,
    motif: str,
    hue: float,
    images: int,
    popularity: int,
) -> DemoProduct:
    p: DemoProduct = _P_NEW(DemoProduct)
    _P_SKU(p, sku)
    _P_GTIN(p, gtin)
    _P_PARENT(p, parent_sku)
    _P_CATEGORY(p, category_id)
    _P_BRAND(p, brand)
    _P_NAMES(p, names)
    _P_DESCRIPTIONS(p, descriptions)
    _P_PRICES(p, prices)
    _P_SPECS(p, specs)
    _P_VARIANT(p, variant)
    _P_MOTIF(p, motif)
    _P_HUE(p, hue)
    _P_IMAGES(p, images)
    _P_POPULARITY(p, popularity)
    return p


def _generate_block(seed: int, block: int) -> list[DemoProduct]:
    rng = random.Random(f"{seed}:{block}")
    rand = rng.random
    out: list[DemoProduct] = []
    append = out.append
    index = block * _BLOCK
    end = index + _BLOCK
    plans = _PLANS
    cum = _CUM_WEIGHTS
    total = _TOTAL_WEIGHT
    while index < end:
        plan = plans[bisect(cum, rand() * total)]
        leaf = plan.leaf
        brand_index = int(rand() * len(plan.brands))
        brand, prefix, brand_number = plan.brands[brand_index]
        axis = plan.axis
        # Value indexes of the family members along the variant axis; empty when there is no axis.
        values: list[int] = []
        if axis is not None:
            count = len(axis.values)
            # A family never straddles two blocks: near the end of a block it shrinks or stays single.
            size = min(3 + int(rand() * 3), count, end - index) if rand() < 0.25 else 1
            if size >= 3:
                # A run of neighbouring sizes or colours, as a store would stock them.
                start = int(rand() * (count - size + 1))
                values = list(range(start, start + size))
            elif axis.hues is not None:
                # A single product still has a colour, shown in its name and specs.
                values = [int(rand() * count)]
        specs = {key: vals[int(rand() * n)] for key, vals, n in plan.specs}
        # Skewed towards the cheap end of the range: most mugs are cheap, a few are designer pieces.
        czk = math.exp(plan.log_low + plan.log_span * rand() ** 1.6)
        base_hue = rand()
        closing = int(rand() * plan.closings)
        feature = rand() < 0.7
        if plan.model_style == "book":
            base_names, descriptions = _book_texts(rand, plan, brand, closing, feature)
        else:
            model = _model_name(rand, plan)
            nouns = leaf.nouns
            if plan.model_style in ("plant", "plush"):
                base_names = (
                    f"{nouns[0]} {model}",
                    f"{nouns[1]} {model}",
                    f"{nouns[2]} {model}",
                    f"{nouns[3]} {model}",
                )
            else:
                base_names = (
                    f"{brand} {nouns[0]} {model}",
                    f"{nouns[1]} {brand} {model}",
                    f"{nouns[2]} {brand} {model}",
                    f"{nouns[3]} {brand} {model}",
                )
            (a0, b0), (a1, b1), (a2, b2), (a3, b3) = plan.texts[brand_index, closing, feature]
            descriptions = {
                "en": a0 + model + b0,
                "cs": a1 + model + b1,
                "pl": a2 + model + b2,
                "bg": a3 + model + b3,
            }
        base_sku = f"SKU-{index + 1:07d}"
        prices = _prices(czk)
        if len(values) < 2:
            if values:
                assert axis is not None
                value_index = values[0]
                labels = axis.labels
                specs[axis.key] = axis.values[value_index]
                names = {
                    "en": f"{base_names[0]} – {labels[0][value_index]}",
                    "cs": f"{base_names[1]} – {labels[1][value_index]}",
                    "pl": f"{base_names[2]} – {labels[2][value_index]}",
                    "bg": f"{base_names[3]} – {labels[3][value_index]}",
                }
                hue = (axis.hues[value_index] + base_hue * 0.04) % 1.0 if axis.hues else base_hue
            else:
                names = {"en": base_names[0], "cs": base_names[1], "pl": base_names[2], "bg": base_names[3]}
                hue = base_hue
            u = rand()
            append(
                _product(
                    base_sku,
                    _gtin(prefix, brand_number, index),
                    None,
                    leaf.id,
                    brand,
                    names,
                    descriptions,
                    prices,
                    specs,
                    None,
                    leaf.motif,
                    hue,
                    _IMAGES[int(rand() * 20)],
                    int(1_000_000 * u**6),
                )
            )
            index += 1
            continue
        assert axis is not None
        labels_en, labels_cs, labels_pl, labels_bg = axis.labels
        for member, value_index in enumerate(values):
            value = axis.values[value_index]
            if axis.hues is not None:
                hue = (axis.hues[value_index] + base_hue * 0.04) % 1.0
            else:
                hue = (base_hue + member * 0.17) % 1.0
            if axis.factors is not None:
                prices = _prices(czk * axis.factors[value_index])
            u = rand()
            append(
                _product(
                    base_sku if member == 0 else f"{base_sku}-{member + 1}",
                    _gtin(prefix, brand_number, index),
                    None if member == 0 else base_sku,
                    leaf.id,
                    brand,
                    {
                        "en": f"{base_names[0]} – {labels_en[value_index]}",
                        "cs": f"{base_names[1]} – {labels_cs[value_index]}",
                        "pl": f"{base_names[2]} – {labels_pl[value_index]}",
                        "bg": f"{base_names[3]} – {labels_bg[value_index]}",
                    },
                    # Each record owns its dicts, so changing one product never changes its siblings.
                    descriptions if member == 0 else dict(descriptions),
                    prices if member == 0 or axis.factors is not None else dict(prices),
                    {**specs, axis.key: value},
                    {axis.key: value},
                    leaf.motif,
                    hue,
                    _IMAGES[int(rand() * 20)],
                    int(1_000_000 * u**6),
                )
            )
            index += 1
    return out


def products(n: int, seed: int = 42) -> Iterator[list[DemoProduct]]:
    """The first ``n`` catalog products in chunks of up to 10,000; any n gives a prefix of a larger one."""
    if n < 0 or n > _MAX_PRODUCTS:
        raise ValueError(f"n must be between 0 and {_MAX_PRODUCTS}, got {n}")
    return _chunks(n, seed)


def _chunks(n: int, seed: int) -> Iterator[list[DemoProduct]]:
    chunk: list[DemoProduct] = []
    for block in range((n + _BLOCK - 1) // _BLOCK):
        items = _generate_block(seed, block)
        left = n - block * _BLOCK
        chunk.extend(items if left >= _BLOCK else items[:left])
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ----------------------------------------------------------------------------------------------- people

# language -> (male first, female first, male last, female last)
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "cs": (
        ("Jan", "Petr", "Tomáš", "Martin", "Jakub", "Lukáš", "Ondřej", "Pavel", "Jiří", "David", "Michal",
         "Vojtěch", "Filip", "Matěj", "Radek", "Zdeněk"),
        ("Jana", "Eva", "Lucie", "Tereza", "Kateřina", "Petra", "Markéta", "Veronika", "Zuzana", "Barbora",
         "Hana", "Klára", "Michaela", "Adéla", "Šárka", "Jitka"),
        ("Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý", "Horák", "Němec",
         "Pokorný", "Marek", "Růžička", "Beneš", "Fiala", "Sedláček", "Doležal"),
        ("Nováková", "Svobodová", "Dvořáková", "Černá", "Procházková", "Kučerová", "Veselá", "Horáková",
         "Němcová", "Pokorná", "Marková", "Růžičková", "Benešová", "Fialová", "Sedláčková", "Doležalová"),
    ),
    "pl": (
        ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Łukasz", "Grzegorz",
         "Wojciech", "Kamil", "Mateusz", "Adam", "Bartosz", "Szymon", "Andrzej"),
        ("Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Magdalena", "Joanna", "Aleksandra", "Monika",
         "Ewa", "Zofia", "Natalia", "Karolina", "Justyna", "Beata", "Dorota", "Weronika"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Piotrowski"),
        ("Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowska", "Zielińska",
         "Szymańska", "Woźniak", "Dąbrowska", "Kozłowska", "Jankowska", "Mazur", "Krawczyk", "Piotrowska"),
    ),
    "bg": (
        ("Иван", "Георги", "Димитър", "Николай", "Петър", "Христо", "Стоян", "Васил", "Александър",
         "Мартин", "Тодор", "Калоян", "Борис", "Стефан", "Пламен", "Явор"),
        ("Мария", "Елена", "Иванка", "Десислава", "Петя", "Гергана", "Радостина", "Николета", "Виктория",
         "Теодора", "Цветелина", "Силвия", "Йорданка", "Милена", "Ралица", "Симона"),
        ("Иванов", "Георгиев", "Димитров", "Петров", "Николов", "Христов", "Стоянов", "Тодоров", "Василев",
         "Костов", "Маринов", "Атанасов", "Ангелов", "Колев", "Илиев", "Попов"),
        ("Иванова", "Георгиева", "Димитрова", "Петрова", "Николова", "Христова", "Стоянова", "Тодорова",
         "Василева", "Костова", "Маринова", "Атанасова", "Ангелова", "Колева", "Илиева", "Попова"),
    ),
    "en": (
        ("James", "Oliver", "Thomas", "Daniel", "Michael", "Samuel", "George", "Harry"),
        ("Emma", "Sophie", "Olivia", "Grace", "Hannah", "Lucy", "Chloe", "Amelia"),
        ("Smith", "Taylor", "Brown", "Wilson", "Clarke", "Walker", "Harris", "Turner"),
        ("Smith", "Taylor", "Brown", "Wilson", "Clarke", "Walker", "Harris", "Turner"),
    ),
}  # fmt: skip


def _person(rng: random.Random, language: str) -> tuple[str, str]:
    male_first, female_first, male_last, female_last = _NAMES[language]
    if rng.random() < 0.5:
        return rng.choice(male_first), rng.choice(male_last)
    return rng.choice(female_first), rng.choice(female_last)


def associates(seed: int = 42) -> list[DemoAssociate]:
    """Three to five people per store, the first of each store a supervisor."""
    rng = random.Random(f"associates:{seed}")
    people: list[DemoAssociate] = []
    badges: set[str] = set()
    number = 1001
    for store in _LOCATIONS:
        if store.kind != "store":
            continue
        size = rng.randint(3, 5)
        for i in range(size):
            first, last = _person(rng, store.language)
            role = "supervisor" if i == 0 or (i == 1 and size == 5 and rng.random() < 0.5) else "associate"
            badge = f"B{rng.randrange(10**7, 10**8)}"
            while badge in badges:
                badge = f"B{rng.randrange(10**7, 10**8)}"
            badges.add(badge)
            digits = rng.randint(4, 6)
            people.append(
                DemoAssociate(
                    id=f"E{number}",
                    store_id=store.id,
                    name=f"{first} {last}",
                    role=role,
                    badge_code=badge,
                    pin=f"{rng.randrange(10**digits):0{digits}d}",
                )
            )
            number += 1
    return people


_TRANSLIT = str.maketrans(
    {
        "ł": "l", "Ł": "L", "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a",
        "ь": "y", "ю": "yu", "я": "ya",
    }
)  # fmt: skip


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLIT))
    return "".join(c for c in plain if c.isascii() and c.isalnum())


_DOMAINS: dict[str, tuple[str, ...]] = {
    "cs": ("example.cz", "mail.example.cz", "example.com"),
    "pl": ("example.pl", "poczta.example.pl", "example.com"),
    "bg": ("example.bg", "mail.example.bg", "example.com"),
    "en": ("example.com", "example.org", "example.net"),
}


def _phone(rng: random.Random, market: str) -> str:
    if market == "cs":
        head = rng.choice(
            ("601", "602", "603", "604", "605", "606", "608", "702", "720", "724", "732", "777")
        )
        return f"+420 {head} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"
    if market == "pl":
        head = rng.choice(
            ("501", "502", "507", "512", "530", "601", "602", "660", "691", "724", "790", "882")
        )
        return f"+48 {head} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"
    head = rng.choice(("87", "88", "89", "98"))
    return f"+359 {head} {rng.randrange(100, 1000)} {rng.randrange(10000):04d}"


def customers(n: int, seed: int = 42) -> list[DemoCustomer]:
    """E-shop customers of the three markets, with a few English speakers among them."""
    rng = random.Random(f"customers:{seed}")
    out: list[DemoCustomer] = []
    for _ in range(n):
        roll = rng.random()
        language = "cs" if roll < 0.4 else "pl" if roll < 0.75 else "bg" if roll < 0.95 else "en"
        first, last = _person(rng, language)
        market = language if language != "en" else rng.choice(("cs", "pl", "bg"))
        local = f"{_ascii(first)}.{_ascii(last)}"
        style = rng.random()
        if style < 0.25:
            local = f"{_ascii(first)[0]}{_ascii(last)}"
        elif style < 0.45:
            local = f"{local}{rng.randrange(1, 100)}"
        email = f"{local}@{rng.choice(_DOMAINS[language])}"
        out.append(DemoCustomer(first, last, email, _phone(rng, market), language))
    return out


# ----------------------------------------------------------------------------------------------- reviews

_REVIEW_GROUP: dict[str, int] = {
    "furniture": 0, "decor": 0, "lighting": 0, "cookware": 1, "tableware": 1, "appliance": 1, "audio": 2,
    "device": 2, "el_accessory": 2, "wearable": 2, "bike": 3, "sport": 3, "footwear": 4, "apparel": 4,
    "accessory": 4, "bottle": 1, "plant": 5, "garden": 5, "toy": 6, "plush": 6, "book": 7,
}  # fmt: skip
_LEAF_GROUP: dict[str, int] = {leaf.id: _REVIEW_GROUP[leaf.text] for leaf in _LEAVES}

# Per language (en, cs, pl, bg): titles and opening sentences for 1-2 stars, 3, 4 and 5 stars.
_TITLES_BY_STARS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("Disappointed", "Not as expected", "Poor quality", "Would not recommend"),
     ("It's OK", "Average", "Good, but not great", "Mixed feelings"),
     ("Very good", "Good value for money", "Does the job well", "Happy with it"),
     ("Excellent!", "Absolutely love it", "Highly recommend", "Exactly as described", "Perfect")),
    (("Zklamání", "Nic moc", "Nedoporučuji", "Slabá kvalita"),
     ("Ujde to", "Průměr", "Dobré, ale nic extra", "Rozporuplné pocity"),
     ("Velmi dobré", "Dobrý poměr cena/výkon", "Splňuje očekávání", "Spokojenost"),
     ("Výborné!", "Naprostá spokojenost", "Vřele doporučuji", "Přesně podle popisu", "Super")),
    (("Rozczarowanie", "Nie polecam", "Słaba jakość", "Nie spełnia oczekiwań"),
     ("Może być", "Przeciętne", "Dobre, ale bez rewelacji", "Mieszane uczucia"),
     ("Bardzo dobre", "Dobry stosunek jakości do ceny", "Spełnia oczekiwania", "Polecam"),
     ("Rewelacja!", "Pełne zadowolenie", "Gorąco polecam", "Zgodne z opisem", "Super")),
    (("Разочарование", "Не препоръчвам", "Слабо качество", "Не отговаря на очакванията"),
     ("Става", "Средно", "Добро, но нищо особено", "Смесени чувства"),
     ("Много добро", "Добро съотношение цена/качество", "Отговаря на очакванията", "Препоръчвам"),
     ("Отлично!", "Страхотен продукт", "Горещо препоръчвам", "Точно както е описано", "Супер")),
)  # fmt: skip
_OPENINGS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("Unfortunately it does not live up to the description.", "Not worth the money."),
     ("It does what it should, but I expected a bit more.", "Fine for the price, nothing special."),
     ("Overall a good purchase with small details to improve.", "Good quality, I would buy it again."),
     ("Better than expected, I use it every day.", "Great quality for the price.")),
    (("Bohužel to neodpovídá popisu.", "Za ty peníze to nestojí."),
     ("Funguje to, jak má, ale očekávání byla vyšší.", "Za tu cenu v pohodě, nic extra."),
     ("Celkově dobrý nákup, drobnosti by se daly vylepšit.", "Dobrá kvalita, určitě doporučuji."),
     ("Předčilo to moje očekávání, používám denně.", "Skvělá kvalita za tu cenu.")),
    (("Niestety nie odpowiada opisowi.", "Nie warto tych pieniędzy."),
     ("Działa jak należy, ale oczekiwania były większe.", "W tej cenie w porządku, nic specjalnego."),
     ("Ogólnie dobry zakup, drobiazgi do poprawy.", "Dobra jakość, warto kupić."),
     ("Przerosło moje oczekiwania, używam codziennie.", "Świetna jakość w tej cenie.")),
    (("За съжаление не отговаря на описанието.", "Не си струва парите."),
     ("Върши работа, но очаквах повече.", "За тази цена е добре, нищо особено."),
     ("Като цяло добра покупка, има дребни неща за подобрение.", "Добро качество, заслужава си."),
     ("Надмина очакванията ми, използвам го всеки ден.", "Страхотно качество за тази цена.")),
)  # fmt: skip
# Per review group: (good point, bad point) per language.
_ASPECTS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("Assembly took about half an hour and it looks great in the living room.",
      "The finish has scratches and one screw was missing."),
     ("Assembly was quick and it looks lovely at home.", "It wobbles a little after a few weeks.")),
    (("Easy to clean and it holds up well in daily use.", "After a few weeks it started to show wear."),
     ("Heats evenly and looks good on the table.", "The handle gets hot and the surface scratches easily.")),
    (("The battery lasts for days and pairing was instant.", "The connection keeps dropping."),
     ("Setup took two minutes and it works flawlessly.", "The app is clumsy and updates take ages.")),
    (("Solid build that handles regular training without problems.",
      "Started to wear out after a month of training."),
     ("Light, comfortable and well made.", "The quality does not match the price.")),
    (("The size fits and the material feels pleasant.", "Runs small and the seams came loose after washing."),
     ("Looks even better than in the photos.", "The colour faded after the first wash.")),
    (("Arrived well packed and works great in the garden.", "It was partly damaged on arrival."),
     ("Healthy, well packed and exactly as pictured.", "It did not last even one season.")),
    (("The kids play with it every day and it is well made.", "Small parts broke off within a week."),
     ("A great gift, the children love it.", "Smells of plastic and the pieces do not fit well.")),
    (("A gripping read, finished in two evenings.", "The story drags and the translation is clumsy."),
     ("Beautifully published and a pleasure to read.", "Too long, the second half is a struggle.")),
)  # fmt: skip
_ASPECTS_CS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("Montáž zabrala asi půl hodiny a v obýváku vypadá skvěle.",
      "Povrch má škrábance a chyběl jeden šroub."),
     ("Montáž byla rychlá a doma to vypadá moc hezky.", "Po pár týdnech se to trochu viklá.")),
    (("Snadno se čistí a při každodenním používání drží skvěle.",
      "Po pár týdnech jsou vidět známky opotřebení."),
     ("Rovnoměrně hřeje a na stole vypadá dobře.", "Rukojeť se zahřívá a povrch se snadno poškrábe.")),
    (("Baterie vydrží několik dní a spárování proběhlo okamžitě.", "Spojení občas vypadává."),
     ("Nastavení zabralo dvě minuty a funguje bez chyby.",
      "Aplikace je nepřehledná a aktualizace trvají věčnost.")),
    (("Pevné provedení, které zvládá pravidelný trénink bez problémů.",
      "Po měsíci tréninku se to začalo opotřebovávat."),
     ("Lehké, pohodlné a dobře zpracované.", "Kvalita neodpovídá ceně.")),
    (("Velikost sedí a materiál je příjemný na dotek.",
      "Je to menší, než se uvádí, a po vyprání se páraly švy."),
     ("Ve skutečnosti vypadá ještě lépe než na fotkách.", "Barva po prvním praní vybledla.")),
    (("Dorazilo dobře zabalené a na zahradě se osvědčilo.", "Při doručení bylo částečně poškozené."),
     ("Zdravé, dobře zabalené a přesně jako na obrázku.", "Nevydrželo ani jednu sezónu.")),
    (("Děti si s tím hrají každý den a je to kvalitně zpracované.", "Během týdne se ulomily drobné díly."),
     ("Skvělý dárek, děti jsou nadšené.", "Páchne plastem a díly k sobě moc nepasují.")),
    (("Čtivé, přečteno za dva večery.", "Děj se vleče a překlad je neobratný."),
     ("Krásně vydané a čte se to samo.", "Příliš dlouhé, druhá polovina je utrpení.")),
)  # fmt: skip
_ASPECTS_PL: tuple[tuple[tuple[str, str], ...], ...] = (
    (("Montaż zajął około pół godziny, a w salonie wygląda świetnie.",
      "Powierzchnia jest porysowana i brakowało jednej śruby."),
     ("Montaż był szybki, a w domu wygląda bardzo ładnie.", "Po kilku tygodniach trochę się chwieje.")),
    (("Łatwo się czyści i dobrze znosi codzienne używanie.", "Po kilku tygodniach widać ślady zużycia."),
     ("Równomiernie się nagrzewa i ładnie wygląda na stole.",
      "Uchwyt się nagrzewa, a powierzchnia łatwo się rysuje.")),
    (("Bateria wytrzymuje kilka dni, a parowanie trwało chwilę.", "Połączenie co chwilę się zrywa."),
     ("Konfiguracja zajęła dwie minuty i wszystko działa bez zarzutu.", "Aplikacja jest nieintuicyjna.")),
    (("Solidne wykonanie, bez problemu znosi regularne treningi.",
      "Po miesiącu treningów zaczęło się zużywać."),
     ("Lekkie, wygodne i dobrze wykonane.", "Jakość nie odpowiada cenie.")),
    (("Rozmiar pasuje, a materiał jest przyjemny w dotyku.",
      "Rozmiarówka jest zaniżona, a po praniu puściły szwy."),
     ("Na żywo wygląda jeszcze lepiej niż na zdjęciach.", "Kolor wyblakł po pierwszym praniu.")),
    (("Dotarło dobrze zapakowane i świetnie sprawdza się w ogrodzie.",
      "Przy dostawie było częściowo uszkodzone."),
     ("Zdrowe, dobrze zapakowane i dokładnie jak na zdjęciu.", "Nie przetrwało nawet jednego sezonu.")),
    (("Dzieci bawią się tym codziennie i jest porządnie wykonane.",
      "W ciągu tygodnia odpadły drobne elementy."),
     ("Świetny prezent, dzieci są zachwycone.", "Czuć plastik, a elementy słabo do siebie pasują.")),
    (("Wciągająca lektura, przeczytana w dwa wieczory.", "Akcja się dłuży, a tłumaczenie jest niezgrabne."),
     ("Pięknie wydana i świetnie się czyta.", "Za długa, druga połowa to męczarnia.")),
)  # fmt: skip
_ASPECTS_BG: tuple[tuple[tuple[str, str], ...], ...] = (
    (("Сглобяването отне около половин час и изглежда чудесно в хола.",
      "Повърхността е надраскана и липсваше един винт."),
     ("Монтажът беше бърз и вкъщи изглежда много добре.", "След няколко седмици започна леко да се клати.")),
    (("Почиства се лесно и издържа добре при ежедневна употреба.",
      "След няколко седмици се виждат следи от износване."),
     ("Загрява равномерно и изглежда добре на масата.",
      "Дръжката се нагорещява, а повърхността се драска лесно.")),
    (("Батерията издържа няколко дни, а сдвояването стана веднага.", "Връзката постоянно прекъсва."),
     ("Настройката отне две минути и работи безупречно.", "Приложението е неудобно.")),
    (("Здрава изработка, издържа на редовни тренировки без проблеми.",
      "След месец тренировки започна да се износва."),
     ("Леко, удобно и добре изработено.", "Качеството не отговаря на цената.")),
    (("Размерът отговаря, а материалът е приятен на допир.",
      "Размерът е по-малък от посочения, а шевовете се разпориха след пране."),
     ("На живо изглежда дори по-добре, отколкото на снимките.", "Цветът избеля след първото пране.")),
    (("Пристигна добре опаковано и се справя чудесно в градината.",
      "При доставката беше частично повредено."),
     ("Здраво, добре опаковано и точно като на снимката.", "Не издържа дори един сезон.")),
    (("Децата си играят с него всеки ден и е добре изработено.", "За седмица се отчупиха малки части."),
     ("Чудесен подарък, децата са във възторг.", "Мирише на пластмаса и частите не пасват добре.")),
    (("Увлекателно четиво, прочетох я за две вечери.", "Сюжетът се влачи, а преводът е тромав."),
     ("Красиво издадена и се чете с удоволствие.", "Прекалено дълга, втората половина е мъка.")),
)  # fmt: skip
_ASPECTS_BY_LANGUAGE = (_ASPECTS, _ASPECTS_CS, _ASPECTS_PL, _ASPECTS_BG)
_EXTRAS: tuple[tuple[str, ...], ...] = (
    ("Picking it up in the store was quick.", "Friendly staff in the store.", "Delivery was fast."),
    ("Vyzvednutí na prodejně proběhlo rychle.", "Na prodejně ochotný personál.", "Doručení bylo rychlé."),
    ("Odbiór w sklepie przebiegł szybko.", "Miła obsługa w sklepie.", "Dostawa była szybka."),
    ("Вземането от магазина мина бързо.", "Любезен персонал в магазина.", "Доставката беше бърза."),
)
# Initials of last names for review authors, per language.
_REVIEW_LANGS = ("cs", "pl", "bg", "en")
_REVIEW_LANG_INDEX = {"en": 0, "cs": 1, "pl": 2, "bg": 3}
# Shoppers write in the language of their market; a tenth of them in English.
_REVIEW_CUM = (0.36, 0.70, 0.90, 1.0)
# J-shaped: mostly fives, then fours, few threes and twos, and a bump of angry ones (mean about 4.1).
_STAR_CUM = (0.08, 0.13, 0.23, 0.48, 1.0)
_REVIEW_END = datetime.date(2026, 11, 1)
_REVIEW_DAYS = tuple((_REVIEW_END - datetime.timedelta(days=d)).isoformat() for d in range(1, 3 * 365 + 1))
# Reviews are written between 06:00 and 22:00 UTC, not in the middle of the night.
_DAY_MINUTES = 16 * 60
_FIRST_MINUTE = 6 * 60


def _review_authors() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for language, (male_first, female_first, male_last, female_last) in _NAMES.items():
        men = tuple(f"{first} {last[0]}." for first in male_first for last in male_last)
        women = tuple(f"{first} {last[0]}." for first in female_first for last in female_last)
        out[language] = men + women
    return out


_REVIEW_AUTHORS = _review_authors()


def _review_bodies() -> tuple[tuple[tuple[tuple[str, ...], ...], ...], ...]:
    """Every body a review can have, per language, star bucket and review group.

    Repeats stand in for weights: three times in ten a short remark about the store is added.
    """
    out = []
    for li in range(4):
        aspects_by_group = _ASPECTS_BY_LANGUAGE[li]
        endings = ("",) * 7 + tuple(" " + extra for extra in _EXTRAS[li])
        per_bucket = []
        for bucket in range(4):
            openings = _OPENINGS[li][bucket]
            per_group = []
            for aspects in aspects_by_group:
                if bucket == 0:
                    cores = [f"{o} {bad}" for o in openings for _, bad in aspects]
                elif bucket == 1:
                    cores = [f"{good} {bad}" for good, bad in aspects] + [
                        f"{o} {bad}" for o in openings for _, bad in aspects
                    ]
                else:
                    cores = [f"{o} {good}" for o in openings for good, _ in aspects]
                per_group.append(tuple(core + ending for core in cores for ending in endings))
            per_bucket.append(tuple(per_group))
        out.append(tuple(per_bucket))
    return tuple(out)


_REVIEW_BODIES = _review_bodies()
_STAR_BUCKET = (0, 0, 0, 1, 2, 3)

_R_NEW = object.__new__
(_R_ID, _R_SKU, _R_RATING, _R_LANGUAGE, _R_AUTHOR, _R_TITLE, _R_BODY, _R_CREATED, _R_VERIFIED,
 _R_HELPFUL) = (getattr(DemoReview, f.name).__set__ for f in fields(DemoReview))  # fmt: skip


def _review(
    review_id: str,
    sku: str,
    rating: int,
    language: str,
    author: str,
    title: str,
    body: str,
    created_at: str,
    verified_purchase: bool,
    helpful: int,
) -> DemoReview:
    # Same shortcut as _product: ten million reviews for a million products.
    r: DemoReview = _R_NEW(DemoReview)
    _R_ID(r, review_id)
    _R_SKU(r, sku)
    _R_RATING(r, rating)
    _R_LANGUAGE(r, language)
    _R_AUTHOR(r, author)
    _R_TITLE(r, title)
    _R_BODY(r, body)
    _R_CREATED(r, created_at)
    _R_VERIFIED(r, verified_purchase)
    _R_HELPFUL(r, helpful)
    return r


def reviews(
    products: Sequence[DemoProduct], seed: int = 42, per_product: float = 10.0
) -> Iterator[DemoReview]:
    """Customer reviews for ``products``: popular products get more, ratings lean to four and five stars.

    A product's reviews depend only on the seed and its SKU, never on the other products passed.
    """
    if per_product <= 0:
        return
    rng = random.Random()
    rand = rng.random
    # Popularity is 10^6 * u^6 for a uniform u; u^2 has mean 1/3, so 3 * u^2 * per_product averages out.
    scale = 3.0 * per_product
    days = _REVIEW_DAYS
    span = len(days) * _DAY_MINUTES
    for p in products:
        sku = p.sku
        rng.seed(f"{seed}:{sku}")
        count = int(scale * (p.popularity / 1_000_000) ** (1 / 3) + rand())
        if count == 0:
            continue
        group = _LEAF_GROUP[p.category_id]
        for i in range(count):
            language = _REVIEW_LANGS[bisect(_REVIEW_CUM, rand())]
            li = _REVIEW_LANG_INDEX[language]
            stars = bisect(_STAR_CUM, rand()) + 1
            bucket = _STAR_BUCKET[stars]
            titles = _TITLES_BY_STARS[li][bucket]
            bodies = _REVIEW_BODIES[li][bucket][group]
            authors = _REVIEW_AUTHORS[language]
            day, minute = divmod(int(rand() * span), _DAY_MINUTES)
            minute += _FIRST_MINUTE
            h = rand()
            yield _review(
                f"{sku}-R{i + 1}",
                sku,
                stars,
                language,
                authors[int(rand() * len(authors))],
                titles[int(rand() * len(titles))],
                bodies[int(rand() * len(bodies))],
                f"{days[day]}T{minute // 60:02d}:{minute % 60:02d}:00Z",
                rand() < 0.8,
                # Helpful votes are heavy-tailed, and strong opinions collect more of them.
                int(h * h * h * (20 if stars == 3 else 60)),
            )


# ------------------------------------------------------------------------------------------------- stock


# Per (seed, location): the CRC of the text every SKU's hash at that location starts with.
_STOCK_START: dict[tuple[int, str], int] = {}


def stock_level(sku: str, location: DemoLocation, seed: int = 42, popularity: int = 0) -> int:
    """Units on hand of ``sku`` at ``location``; a hash, not a Random, because it runs millions of times."""
    start = _STOCK_START.get((seed, location.id))
    if start is None:
        start = _STOCK_START[seed, location.id] = zlib.crc32(f"{seed}:{location.id}:".encode())
    # CRC is linear, so neighbouring SKUs give related hashes; a multiplicative mix spreads them out.
    h = zlib.crc32(sku.encode(), start) * 2654435761 % 4294967296
    share = (h >> 12) / 1048576.0
    boost = 1.0 + popularity / 500_000
    if location.kind == "warehouse":
        if h % 100 < 3:
            return 0
        return min(400, 1 + int(share * share * 260 * boost))
    if h % 100 < 16:
        return 0
    return min(25, 1 + int(share * share * 14 * boost))
