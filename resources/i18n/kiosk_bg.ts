<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="bg">
<context>
    <name>AttractView</name>
    <message>
        <source>Welcome</source>
        <translation>Добре дошли</translation>
    </message>
    <message>
        <source>Browse the whole catalog, check stock and build your bag.</source>
        <translation>Разгледайте целия каталог, проверете наличността и напълнете количката си.</translation>
    </message>
    <message>
        <source>Touch to start</source>
        <translation>Докоснете, за да започнете</translation>
    </message>
    <message>
        <source>Start browsing</source>
        <translation>Започнете разглеждането</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>Висок контраст</translation>
    </message>
    <message>
        <source>High contrast display</source>
        <translation>Изглед с висок контраст</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Персонал</translation>
    </message>
    <message>
        <source>Staff sign-in</source>
        <translation>Вход за персонала</translation>
    </message>
    <message>
        <source>Start screen</source>
        <translation>Начален екран</translation>
    </message>
</context>
<context>
    <name>BadgeView</name>
    <message>
        <source>Staff sign-in</source>
        <translation>Вход за персонала</translation>
    </message>
    <message>
        <source>Scan your badge, or enter your employee ID and PIN.</source>
        <translation>Сканирайте служебната си карта или въведете служебния си номер и ПИН.</translation>
    </message>
    <message>
        <source>Badge</source>
        <translation>Служебна карта</translation>
    </message>
    <message>
        <source>Scan your badge</source>
        <translation>Сканирайте служебната си карта</translation>
    </message>
    <message>
        <source>Employee ID</source>
        <translation>Служебен номер</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>ПИН</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Вход</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отказ</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Влизане…</translation>
    </message>
    <message>
        <source>Signed in as %1.</source>
        <translation>Влязохте като %1.</translation>
    </message>
    <message>
        <source>That is not a badge or PIN of this store. Please try again.</source>
        <translation>Това не е служебна карта или ПИН на този магазин. Опитайте отново.</translation>
    </message>
    <message>
        <source>Badge or PIN not recognised.</source>
        <translation>Служебната карта или ПИН кодът не са разпознати.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Sign-in is locked for a while.</source>
        <translation>Твърде много грешни ПИН кодове. Входът е блокиран за известно време.</translation>
    </message>
    <message>
        <source>This associate does not work at this store.</source>
        <translation>Този служител не работи в този магазин.</translation>
    </message>
    <message>
        <source>Associates cannot sign in on this device.</source>
        <translation>Служителите не могат да влизат от това устройство.</translation>
    </message>
    <message>
        <source>Signing in needs the central system, which cannot be reached.</source>
        <translation>За вход е нужна централната система, която е недостъпна.</translation>
    </message>
    <message>
        <source>Signing in failed. Please try again.</source>
        <translation>Входът не бе успешен. Опитайте отново.</translation>
    </message>
</context>
<context>
    <name>BagModel</name>
    <message>
        <source>No longer in the catalog</source>
        <translation>Вече не е в каталога</translation>
    </message>
    <message>
        <source>Availability not known on this kiosk</source>
        <translation>Наличността не е известна на този киоск</translation>
    </message>
    <message>
        <source>Out of stock everywhere</source>
        <translation>Няма наличност никъде</translation>
    </message>
    <message numerus="yes">
        <source>Only %n available now</source>
        <translation>
            <numerusform>В момента има само %n бр.</numerusform>
            <numerusform>В момента има само %n бр.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in this store</source>
        <translation>
            <numerusform>%n бр. в този магазин</numerusform>
            <numerusform>%n бр. в този магазин</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in this store, the rest from another location</source>
        <translation>
            <numerusform>%n бр. в този магазин, останалите от друго място</numerusform>
            <numerusform>%n бр. в този магазин, останалите от друго място</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>From another store or warehouse (%n available)</source>
        <translation>
            <numerusform>От друг магазин или склад (налични %n бр.)</numerusform>
            <numerusform>От друг магазин или склад (налични %n бр.)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, quantity %2, %3</source>
        <translation>%1, количество %2, %3</translation>
    </message>
</context>
<context>
    <name>BagView</name>
    <message>
        <source>‹ Continue shopping</source>
        <translation>‹ Продължете пазаруването</translation>
    </message>
    <message>
        <source>Continue shopping</source>
        <translation>Продължете пазаруването</translation>
    </message>
    <message>
        <source>One fewer</source>
        <translation>С един по-малко</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>С един повече</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Премахнете</translation>
    </message>
    <message>
        <source>Remove this product from the bag</source>
        <translation>Премахнете този продукт от количката</translation>
    </message>
    <message>
        <source>Empty the bag</source>
        <translation>Изпразнете количката</translation>
    </message>
    <message>
        <source>Remove every product from the bag</source>
        <translation>Премахнете всички продукти от количката</translation>
    </message>
    <message>
        <source>Hand to an associate</source>
        <translation>Предайте на консултант</translation>
    </message>
    <message>
        <source>Show a code for an associate</source>
        <translation>Покажете код за консултанта</translation>
    </message>
    <message>
        <source>Back to the bag</source>
        <translation>Обратно към количката</translation>
    </message>
    <message>
        <source>Your bag</source>
        <translation>Вашата количка</translation>
    </message>
    <message>
        <source>Products in the bag</source>
        <translation>Продукти в количката</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Количество</translation>
    </message>
    <message>
        <source>Your bag is empty. Add products from their pages.</source>
        <translation>Количката е празна. Добавете продукти от техните страници.</translation>
    </message>
    <message>
        <source>Show this code to a store associate. They scan it to take over your bag.</source>
        <translation>Покажете този код на консултант в магазина. Като го сканира, той ще поеме количката ви.</translation>
    </message>
    <message>
        <source>Handoff code</source>
        <translation>Код за предаване</translation>
    </message>
    <message>
        <source>QR code of your bag</source>
        <translation>QR код на количката ви</translation>
    </message>
    <message>
        <source>Barcode of your bag</source>
        <translation>Баркод на количката ви</translation>
    </message>
    <message>
        <source>Added to your bag.</source>
        <translation>Добавено в количката.</translation>
    </message>
    <message>
        <source>This product is not in the catalog on this kiosk.</source>
        <translation>Този продукт не е в каталога на този киоск.</translation>
    </message>
    <message>
        <source>This product is not sold in this store&apos;s currency.</source>
        <translation>Този продукт не се продава във валутата на този магазин.</translation>
    </message>
    <message numerus="yes">
        <source>Please enter a whole number from 1 to %n.</source>
        <translation>
            <numerusform>Въведете цяло число от 1 до %n.</numerusform>
            <numerusform>Въведете цяло число от 1 до %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>Sorry, this product is out of stock.</source>
        <translation>За съжаление този продукт е изчерпан.</translation>
    </message>
    <message numerus="yes">
        <source>Only %n available.</source>
        <translation>
            <numerusform>Само %n бр. в наличност.</numerusform>
            <numerusform>Само %n бр. в наличност.</numerusform>
        </translation>
    </message>
    <message>
        <source>The bag is full. Please hand it to an associate first.</source>
        <translation>Количката е пълна. Първо я предайте на консултант.</translation>
    </message>
    <message>
        <source>That product is no longer in your bag.</source>
        <translation>Този продукт вече не е в количката ви.</translation>
    </message>
    <message>
        <source>The bag could not be saved, so nothing was changed. Please ask staff.</source>
        <translation>Количката не можа да бъде запазена и нищо не е променено. Моля, обърнете се към персонала.</translation>
    </message>
    <message>
        <source>A saved bag could not be read back. Please start a new one.</source>
        <translation>Запазената количка не можа да бъде прочетена. Моля, започнете нова.</translation>
    </message>
    <message>
        <source>Add a product first: an empty bag has nothing to hand over.</source>
        <translation>Първо добавете продукт: празна количка не може да бъде предадена.</translation>
    </message>
    <message>
        <source>Opened the customer&apos;s bag.</source>
        <translation>Количката на клиента е отворена.</translation>
    </message>
    <message>
        <source>This bag still holds products. Remove them before opening another customer&apos;s bag.</source>
        <translation>В тази количка все още има продукти. Премахнете ги, преди да отворите количката на друг клиент.</translation>
    </message>
    <message>
        <source>This bag code could not be read. Please scan it again.</source>
        <translation>Кодът на количката не може да бъде прочетен. Моля, сканирайте го отново.</translation>
    </message>
    <message>
        <source>This bag code comes from a newer kiosk app. Please update this device.</source>
        <translation>Кодът на количката е от по-нова версия на приложението на киоска. Моля, обновете това устройство.</translation>
    </message>
    <message>
        <source>This bag holds products this device does not know yet. Please try again later.</source>
        <translation>Количката съдържа продукти, които това устройство все още не познава. Моля, опитайте по-късно.</translation>
    </message>
    <message>
        <source>This bag was already ordered on this device.</source>
        <translation>Тази количка вече е поръчана на това устройство.</translation>
    </message>
    <message>
        <source>Tap “Empty the bag” again to remove every product.</source>
        <translation>Докоснете отново „Изпразнете количката“, за да премахнете всички продукти.</translation>
    </message>
    <message>
        <source>1 item</source>
        <translation>1 брой</translation>
    </message>
    <message numerus="yes">
        <source>{count} items</source>
        <translation>
            <numerusform>{count} брой</numerusform>
            <numerusform>{count} броя</numerusform>
        </translation>
    </message>
    <message>
        <source>Total: {total} ({items})</source>
        <translation>Общо: {total} ({items})</translation>
    </message>
    <message>
        <source>The bag could not be shown. Your products are kept; try again.</source>
        <translation>Количката не може да бъде показана. Продуктите ви са запазени; опитайте отново.</translation>
    </message>
    <message>
        <source>This bag is too large for a barcode: please scan the QR code.</source>
        <translation>Количката е твърде голяма за баркод: сканирайте QR кода.</translation>
    </message>
</context>
<context>
    <name>CatalogView</name>
    <message>
        <source>Search products, brands, codes…</source>
        <translation>Търсене на продукти, марки, кодове…</translation>
    </message>
    <message>
        <source>Search the catalog</source>
        <translation>Търсене в каталога</translation>
    </message>
    <message>
        <source>All products</source>
        <translation>Всички продукти</translation>
    </message>
    <message>
        <source>Show all categories</source>
        <translation>Показване на всички категории</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>Категории</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>Марка</translation>
    </message>
    <message>
        <source>Filter by brand</source>
        <translation>Филтриране по марка</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Цена</translation>
    </message>
    <message>
        <source>Filter by price</source>
        <translation>Филтриране по цена</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Оценка</translation>
    </message>
    <message numerus="yes">
        <source>Rated %n stars or more</source>
        <translation>
            <numerusform>Оценка %n звезда и повече</numerusform>
            <numerusform>Оценка %n звезди и повече</numerusform>
        </translation>
    </message>
    <message>
        <source>Only products in stock in this store</source>
        <translation>Само продукти в наличност в този магазин</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Изчистете филтрите</translation>
    </message>
    <message>
        <source>Clear the search and all filters</source>
        <translation>Изчистете търсенето и всички филтри</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Опитайте отново</translation>
    </message>
    <message>
        <source>Try loading the catalog again</source>
        <translation>Опитайте отново да заредите каталога</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Продукти</translation>
    </message>
    <message numerus="yes">
        <source>more than {count} results</source>
        <translation>
            <numerusform>над {count} резултат</numerusform>
            <numerusform>над {count} резултата</numerusform>
        </translation>
    </message>
    <message>
        <source>1 product</source>
        <translation>1 продукт</translation>
    </message>
    <message numerus="yes">
        <source>{count} products</source>
        <translation>
            <numerusform>{count} продукт</numerusform>
            <numerusform>{count} продукта</numerusform>
        </translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Търсене…</translation>
    </message>
    <message>
        <source>Nothing matches “{text}”.</source>
        <translation>Няма резултати за „{text}“.</translation>
    </message>
    <message>
        <source>Nothing matches these filters.</source>
        <translation>Няма резултати с тези филтри.</translation>
    </message>
    <message>
        <source>In stock here</source>
        <translation>Налично тук</translation>
    </message>
    <message>
        <source>No product with code {code}.</source>
        <translation>Няма продукт с код {code}.</translation>
    </message>
    <message>
        <source>“{code}” is not a product barcode. Please scan the code on the product.</source>
        <translation>„{code}“ не е баркод на продукт. Сканирайте кода върху продукта.</translation>
    </message>
    <message>
        <source>The catalog on this device cannot be read right now. Please try again in a moment.</source>
        <translation>Каталогът на това устройство не може да бъде прочетен в момента. Опитайте отново след малко.</translation>
    </message>
    <message>
        <source>Something unexpected happened. The details are in the log.</source>
        <translation>Възникна неочаквана грешка. Подробностите са в журнала.</translation>
    </message>
</context>
<context>
    <name>Gallery</name>
    <message>
        <source>Product images</source>
        <translation>Снимки на продукта</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>Предишна снимка</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>Следваща снимка</translation>
    </message>
    <message>
        <source>Image {number} of {count}</source>
        <translation>Снимка {number} от {count}</translation>
    </message>
    <message>
        <source>No images</source>
        <translation>Няма снимки</translation>
    </message>
</context>
<context>
    <name>HomeView</name>
    <message>
        <source>Try again</source>
        <translation>Опитайте отново</translation>
    </message>
    <message>
        <source>Browse the catalog</source>
        <translation>Разгледайте каталога</translation>
    </message>
    <message>
        <source>Search products…</source>
        <translation>Търсене на продукти…</translation>
    </message>
    <message>
        <source>Search products</source>
        <translation>Търсене на продукти</translation>
    </message>
    <message>
        <source>Popular products</source>
        <translation>Популярни продукти</translation>
    </message>
    <message>
        <source>Popular right now</source>
        <translation>Популярни в момента</translation>
    </message>
    <message>
        <source>OUR WHOLE RANGE</source>
        <translation>ЦЕЛИЯТ НИ АСОРТИМЕНТ</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Магазин</translation>
    </message>
    <message>
        <source>Self-service</source>
        <translation>Самообслужване</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>Консултант</translation>
    </message>
    <message>
        <source>Welcome to {store}</source>
        <translation>Добре дошли в {store}</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Добре дошли</translation>
    </message>
    <message>
        <source>Browse everything we sell, also what is not on the shelves here, check stock in nearby stores and order to pick up or to your door.</source>
        <translation>Разгледайте всичко, което предлагаме, включително каквото го няма на рафтовете тук, проверете наличността в близките магазини и поръчайте с вземане от магазин или с доставка до дома.</translation>
    </message>
    <message>
        <source>Store tools</source>
        <translation>Инструменти за магазина</translation>
    </message>
    <message>
        <source>Endless-aisle orders, pickups and returns keep working when the network does not.</source>
        <translation>Поръчките от целия асортимент, получаването и връщанията работят и без мрежа.</translation>
    </message>
    <message>
        <source>in 1 category</source>
        <translation>в 1 категория</translation>
    </message>
    <message numerus="yes">
        <source>in {count} categories</source>
        <translation>
            <numerusform>в {count} категория</numerusform>
            <numerusform>в {count} категории</numerusform>
        </translation>
    </message>
    <message>
        <source>product {in_categories}</source>
        <translation>продукт {in_categories}</translation>
    </message>
    <message numerus="yes">
        <source>products {in_categories}</source>
        <translation>
            <numerusform>продукт {in_categories}</numerusform>
            <numerusform>продукта {in_categories}</numerusform>
        </translation>
    </message>
    <message>
        <source>Popular products appear here once the catalog has loaded.</source>
        <translation>Популярните продукти ще се появят тук, след като каталогът се зареди.</translation>
    </message>
    <message>
        <source>Waiting for the central system</source>
        <translation>Изчакване на централната система</translation>
    </message>
    <message>
        <source>The store&apos;s central system cannot be reached. This screen continues by itself when it is back.</source>
        <translation>Централната система на магазина е недостъпна. Този екран ще продължи сам, щом тя отново стане достъпна.</translation>
    </message>
    <message>
        <source>This device needs to be enrolled</source>
        <translation>Това устройство трябва да се регистрира</translation>
    </message>
    <message>
        <source>Something is not working</source>
        <translation>Нещо не работи</translation>
    </message>
    <message>
        <source>Getting ready…</source>
        <translation>Подготовка…</translation>
    </message>
    <message>
        <source>Connecting this device…</source>
        <translation>Свързване на устройството…</translation>
    </message>
    <message>
        <source>Loading the catalog…</source>
        <translation>Зареждане на каталога…</translation>
    </message>
    <message>
        <source>The central system no longer accepts this device&apos;s credentials. A store manager needs to enrol it again with a new enrolment key.</source>
        <translation>Централната система вече не приема идентификационните данни на това устройство. Управителят на магазина трябва да го регистрира отново с нов регистрационен ключ.</translation>
    </message>
    <message>
        <source>This device has been revoked. A store manager can enrol it again with a new key.</source>
        <translation>Регистрацията на това устройство е отменена. Управителят на магазина може да го регистрира отново с нов ключ.</translation>
    </message>
    <message>
        <source>The enrolment key was not accepted: it is unknown, already used or expired.</source>
        <translation>Регистрационният ключ не е приет: неизвестен е, вече е използван или е изтекъл.</translation>
    </message>
    <message>
        <source>The enrolment is for a different kind of device (kiosk or associate).</source>
        <translation>Регистрацията е за друг вид устройство (киоск или устройство на служител).</translation>
    </message>
    <message>
        <source>The enrolment is for a different store than this device is set up for.</source>
        <translation>Регистрацията е за друг магазин, а не за този, за който е настроено устройството.</translation>
    </message>
    <message>
        <source>This device was enrolled with a different central system.</source>
        <translation>Това устройство е регистрирано в друга централна система.</translation>
    </message>
    <message>
        <source>The device&apos;s enrolment file is damaged. Enrol it again with a new key.</source>
        <translation>Регистрационният файл на устройството е повреден. Регистрирайте го отново с нов ключ.</translation>
    </message>
    <message>
        <source>Start the app with an enrolment key from a store manager (--enrol-key).</source>
        <translation>Стартирайте приложението с регистрационен ключ от управителя на магазина (--enrol-key).</translation>
    </message>
    <message>
        <source>Another copy of the app or kiosk-sync is using this data folder. Close it, then try again.</source>
        <translation>Друго копие на приложението или kiosk-sync използва тази папка с данни. Затворете го и опитайте отново.</translation>
    </message>
    <message>
        <source>The data folder cannot be used. The log file has the details.</source>
        <translation>Папката с данни не може да се използва. Подробностите са във файла на журнала.</translation>
    </message>
    <message>
        <source>The demo store server could not start. The log file has the details.</source>
        <translation>Сървърът на демонстрационния магазин не можа да стартира. Подробностите са във файла на журнала.</translation>
    </message>
    <message>
        <source>The central system answered with an error. Please try again in a moment.</source>
        <translation>Централната система отговори с грешка. Опитайте отново след малко.</translation>
    </message>
    <message>
        <source>Something unexpected happened. The details are in the log.</source>
        <translation>Възникна неочаквана грешка. Подробностите са в журнала.</translation>
    </message>
</context>
<context>
    <name>LanguageSwitch</name>
    <message>
        <source>Language: %1</source>
        <translation>Език: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Store</source>
        <translation>Магазин</translation>
    </message>
    <message>
        <source>‹ Back</source>
        <translation>‹ Назад</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Назад</translation>
    </message>
    <message>
        <source>⌂ Start</source>
        <translation>⌂ Начало</translation>
    </message>
    <message numerus="yes">
        <source>Bag · %n</source>
        <translation>
            <numerusform>Количка · %n</numerusform>
            <numerusform>Количка · %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Your bag, %n item(s)</source>
        <translation>
            <numerusform>Вашата количка, %n брой</numerusform>
            <numerusform>Вашата количка, %n броя</numerusform>
        </translation>
    </message>
    <message>
        <source>Back to the start screen</source>
        <translation>Обратно към началния екран</translation>
    </message>
</context>
<context>
    <name>OnScreenKeyboard</name>
    <message>
        <source>Shift</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>Accented letters</source>
        <translation>Специални букви</translation>
    </message>
    <message>
        <source>Keyboard language</source>
        <translation>Език на клавиатурата</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Интервал</translation>
    </message>
    <message>
        <source>Delete the last character</source>
        <translation>Изтриване на последния знак</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>Hide the keyboard</source>
        <translation>Скриване на клавиатурата</translation>
    </message>
</context>
<context>
    <name>ProductCardDelegate</name>
    <message>
        <source>In stock here</source>
        <translation>Налично тук</translation>
    </message>
    <message>
        <source>Only a few left</source>
        <translation>Последни бройки</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Изчерпан</translation>
    </message>
    <message>
        <source>Available elsewhere</source>
        <translation>Налично другаде</translation>
    </message>
    <message>
        <source>No reviews</source>
        <translation>Няма отзиви</translation>
    </message>
</context>
<context>
    <name>ProductGridModel</name>
    <message>
        <source>Loading…</source>
        <translation>Зареждане…</translation>
    </message>
</context>
<context>
    <name>ProductView</name>
    <message>
        <source>‹ Back</source>
        <translation>‹ Назад</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Назад</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Опитайте отново</translation>
    </message>
    <message>
        <source>One fewer</source>
        <translation>С един по-малко</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>С един повече</translation>
    </message>
    <message>
        <source>Add to bag</source>
        <translation>Добавете в количката</translation>
    </message>
    <message>
        <source>Show all ratings</source>
        <translation>Покажете всички оценки</translation>
    </message>
    <message>
        <source>Newest</source>
        <translation>Най-нови</translation>
    </message>
    <message>
        <source>Newest reviews first</source>
        <translation>Първо най-новите отзиви</translation>
    </message>
    <message>
        <source>Highest rated</source>
        <translation>С най-висока оценка</translation>
    </message>
    <message>
        <source>Highest rated first</source>
        <translation>Първо тези с най-висока оценка</translation>
    </message>
    <message>
        <source>Lowest rated</source>
        <translation>С най-ниска оценка</translation>
    </message>
    <message>
        <source>Lowest rated first</source>
        <translation>Първо тези с най-ниска оценка</translation>
    </message>
    <message>
        <source>All languages</source>
        <translation>Всички езици</translation>
    </message>
    <message>
        <source>Reviews in all languages</source>
        <translation>Отзиви на всички езици</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Предишни</translation>
    </message>
    <message>
        <source>Previous reviews</source>
        <translation>Предишни отзиви</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Следващи ›</translation>
    </message>
    <message>
        <source>Next reviews</source>
        <translation>Следващи отзиви</translation>
    </message>
    <message numerus="yes">
        <source>Show %n-star reviews</source>
        <translation>
            <numerusform>Покажете отзивите с %n звезда</numerusform>
            <numerusform>Покажете отзивите с %n звезди</numerusform>
        </translation>
    </message>
    <message>
        <source>Product details</source>
        <translation>Подробности за продукта</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Отзиви</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Описание</translation>
    </message>
    <message>
        <source>Specifications</source>
        <translation>Характеристики</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>Наличност</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Варианти</translation>
    </message>
    <message>
        <source>Customer reviews</source>
        <translation>Отзиви на клиенти</translation>
    </message>
    <message>
        <source>Sort:</source>
        <translation>Подреждане:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Език:</translation>
    </message>
    <message>
        <source>No reviews yet</source>
        <translation>Все още няма отзиви</translation>
    </message>
    <message>
        <source>Not sold in this store</source>
        <translation>Не се продава в този магазин</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Количество</translation>
    </message>
    <message>
        <source>This product is not in the catalog</source>
        <translation>Този продукт не е в каталога</translation>
    </message>
    <message>
        <source>It may have been withdrawn. An associate can help you find something similar.</source>
        <translation>Възможно е да е спрян от продажба. Консултант ще ви помогне да намерите нещо подобно.</translation>
    </message>
    <message>
        <source>The product could not be shown</source>
        <translation>Продуктът не може да бъде показан</translation>
    </message>
    <message>
        <source>Something unexpected happened. Please try again.</source>
        <translation>Възникна неочаквана грешка. Опитайте отново.</translation>
    </message>
    <message>
        <source>Loading the product…</source>
        <translation>Зареждане на продукта…</translation>
    </message>
    <message>
        <source>%1 (sold out)</source>
        <translation>%1 (изчерпан)</translation>
    </message>
    <message>
        <source>Option %1</source>
        <translation>Вариант %1</translation>
    </message>
    <message>
        <source>Option %1, sold out</source>
        <translation>Вариант %1, изчерпан</translation>
    </message>
    <message>
        <source>Live stock · as of %1</source>
        <translation>Актуална наличност · към %1</translation>
    </message>
    <message>
        <source>Last known stock · as of %1 · not confirmed in the last minute</source>
        <translation>Последна известна наличност · към %1 · непотвърдена през последната минута</translation>
    </message>
    <message>
        <source>Offline · last known stock as of %1</source>
        <translation>Офлайн · последна известна наличност към %1</translation>
    </message>
    <message>
        <source>Offline · stock figures may be out of date</source>
        <translation>Офлайн · данните за наличност може да са остарели</translation>
    </message>
    <message>
        <source>No stock figures yet</source>
        <translation>Все още няма данни за наличност</translation>
    </message>
    <message>
        <source>%1 (this store)</source>
        <translation>%1 (този магазин)</translation>
    </message>
    <message>
        <source>warehouse</source>
        <translation>склад</translation>
    </message>
    <message numerus="yes">
        <source>%n available</source>
        <translation>
            <numerusform>Налични: %n бр.</numerusform>
            <numerusform>Налични: %n бр.</numerusform>
        </translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Няма наличност</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>към %1</translation>
    </message>
    <message>
        <source>Reviews in %1</source>
        <translation>Отзиви на език: %1</translation>
    </message>
    <message>
        <source>Loading reviews…</source>
        <translation>Зареждане на отзивите…</translation>
    </message>
    <message>
        <source>No reviews match these filters.</source>
        <translation>Няма отзиви, които отговарят на тези филтри.</translation>
    </message>
    <message>
        <source>No reviews yet.</source>
        <translation>Все още няма отзиви.</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>%1–%2 от %3</translation>
    </message>
    <message>
        <source>1 review</source>
        <translation>1 отзив</translation>
    </message>
    <message numerus="yes">
        <source>%n reviews</source>
        <translation>
            <numerusform>%n отзив</numerusform>
            <numerusform>%n отзива</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewDelegate</name>
    <message>
        <source>✓ Verified purchase</source>
        <translation>✓ Потвърдена покупка</translation>
    </message>
</context>
<context>
    <name>ReviewListModel</name>
    <message numerus="yes">
        <source>%n of 5 stars</source>
        <translation>
            <numerusform>%n от 5 звезди</numerusform>
            <numerusform>%n от 5 звезди</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatusView</name>
    <message>
        <source>Sync status</source>
        <translation>Състояние на синхронизацията</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Връзка</translation>
    </message>
    <message>
        <source>Status message</source>
        <translation>Съобщение за състоянието</translation>
    </message>
    <message>
        <source>Catalog download progress</source>
        <translation>Напредък на изтеглянето на каталога</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>Последна успешна синхронизация</translation>
    </message>
    <message>
        <source>Actions waiting to be sent</source>
        <translation>Действия, чакащи изпращане</translation>
    </message>
    <message>
        <source>Nothing waiting to send</source>
        <translation>Нищо не чака изпращане</translation>
    </message>
    <message numerus="yes">
        <source>Waiting to send: %n</source>
        <translation>
            <numerusform>Чака изпращане: %n</numerusform>
            <numerusform>Чакат изпращане: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● Онлайн</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation>● Офлайн</translation>
    </message>
    <message>
        <source>● Connecting…</source>
        <translation>● Свързване…</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Все още няма синхронизация</translation>
    </message>
    <message>
        <source>Synced just now</source>
        <translation>Синхронизирано току-що</translation>
    </message>
    <message numerus="yes">
        <source>Synced %n min ago</source>
        <translation>
            <numerusform>Синхронизирано преди %n мин.</numerusform>
            <numerusform>Синхронизирано преди %n мин.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced %n h ago</source>
        <translation>
            <numerusform>Синхронизирано преди %n ч.</numerusform>
            <numerusform>Синхронизирано преди %n ч.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced %n days ago</source>
        <translation>
            <numerusform>Синхронизирано преди %n ден</numerusform>
            <numerusform>Синхронизирано преди %n дни</numerusform>
        </translation>
    </message>
    <message>
        <source>Downloading the catalog… {percent}%</source>
        <translation>Изтегляне на каталога… {percent}%</translation>
    </message>
    <message>
        <source>paused while offline</source>
        <translation>на пауза, докато няма връзка</translation>
    </message>
    <message>
        <source>Working offline with the data from the last sync</source>
        <translation>Работа офлайн с данните от последната синхронизация</translation>
    </message>
    <message>
        <source>Waiting for the central system…</source>
        <translation>Изчакване на централната система…</translation>
    </message>
    <message>
        <source>Connecting to the central system…</source>
        <translation>Свързване с централната система…</translation>
    </message>
    <message>
        <source>All data up to date</source>
        <translation>Всички данни са актуални</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Свързано</translation>
    </message>
    <message>
        <source>Starting the demo store server…</source>
        <translation>Стартиране на сървъра на демонстрационния магазин…</translation>
    </message>
    <message>
        <source>Creating the demo store (first start only)… {done} of {total} products</source>
        <translation>Създаване на демонстрационния магазин (само при първо стартиране)… {done} от {total} продукта</translation>
    </message>
    <message>
        <source>The demo server could not start. The log file has the details.</source>
        <translation>Демонстрационният сървър не можа да стартира. Подробностите са във файла на журнала.</translation>
    </message>
    <message>
        <source>Another copy of the app or kiosk-sync is using this data folder.</source>
        <translation>Друго копие на приложението или kiosk-sync използва тази папка с данни.</translation>
    </message>
    <message>
        <source>The data folder cannot be used. The log file has the details.</source>
        <translation>Папката с данни не може да се използва. Подробностите са във файла на журнала.</translation>
    </message>
    <message>
        <source>This device needs to be enrolled again. Ask a store manager.</source>
        <translation>Това устройство трябва да се регистрира отново. Обърнете се към управителя на магазина.</translation>
    </message>
    <message>
        <source>The central system refuses to sync with this device. Ask a store manager.</source>
        <translation>Централната система отказва синхронизация с това устройство. Обърнете се към управителя на магазина.</translation>
    </message>
    <message>
        <source>The central system answered with an error. Trying again later.</source>
        <translation>Централната система отговори с грешка. По-късно ще бъде направен нов опит.</translation>
    </message>
    <message>
        <source>Something went wrong and the screen was reset. The details are in the log.</source>
        <translation>Нещо се обърка и екранът беше нулиран. Подробностите са в журнала.</translation>
    </message>
    <message numerus="yes">
        <source>about %n s left</source>
        <translation>
            <numerusform>остава около %n сек.</numerusform>
            <numerusform>остават около %n сек.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>остава около %n мин.</numerusform>
            <numerusform>остават около %n мин.</numerusform>
        </translation>
    </message>
</context>
</TS>
