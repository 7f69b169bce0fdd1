<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="cs">
<context>
    <name>AttractView</name>
    <message>
        <source>Welcome</source>
        <translation>Vítejte</translation>
    </message>
    <message>
        <source>Browse the whole catalog, check stock and build your bag.</source>
        <translation>Prohlédněte si celý sortiment, ověřte dostupnost a naplňte košík.</translation>
    </message>
    <message>
        <source>Touch to start</source>
        <translation>Dotkněte se a začněte</translation>
    </message>
    <message>
        <source>Start browsing</source>
        <translation>Začít prohlížet</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>Vysoký kontrast</translation>
    </message>
    <message>
        <source>High contrast display</source>
        <translation>Zobrazení s vysokým kontrastem</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personál</translation>
    </message>
    <message>
        <source>Staff sign-in</source>
        <translation>Přihlášení personálu</translation>
    </message>
    <message>
        <source>Start screen</source>
        <translation>Úvodní obrazovka</translation>
    </message>
</context>
<context>
    <name>BadgeView</name>
    <message>
        <source>Staff sign-in</source>
        <translation>Přihlášení personálu</translation>
    </message>
    <message>
        <source>Scan your badge, or enter your employee ID and PIN.</source>
        <translation>Naskenujte svou kartu, nebo zadejte osobní číslo a PIN.</translation>
    </message>
    <message>
        <source>Badge</source>
        <translation>Karta</translation>
    </message>
    <message>
        <source>Scan your badge</source>
        <translation>Naskenujte svou kartu</translation>
    </message>
    <message>
        <source>Employee ID</source>
        <translation>Osobní číslo</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Přihlásit se</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Zrušit</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Přihlašování…</translation>
    </message>
    <message>
        <source>Signed in as %1.</source>
        <translation>Jste přihlášeni jako %1.</translation>
    </message>
    <message>
        <source>That is not a badge or PIN of this store. Please try again.</source>
        <translation>Toto není karta ani PIN této prodejny. Zkuste to prosím znovu.</translation>
    </message>
    <message>
        <source>Badge or PIN not recognised.</source>
        <translation>Karta nebo PIN nebyly rozpoznány.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Sign-in is locked for a while.</source>
        <translation>Příliš mnoho chybných PINů. Přihlášení je na chvíli zablokováno.</translation>
    </message>
    <message>
        <source>This associate does not work at this store.</source>
        <translation>Tento pracovník v této prodejně nepracuje.</translation>
    </message>
    <message>
        <source>Associates cannot sign in on this device.</source>
        <translation>Personál se na tomto zařízení přihlásit nemůže.</translation>
    </message>
    <message>
        <source>Signing in needs the central system, which cannot be reached.</source>
        <translation>Přihlášení vyžaduje centrální systém, který je nedostupný.</translation>
    </message>
    <message>
        <source>Signing in failed. Please try again.</source>
        <translation>Přihlášení se nezdařilo. Zkuste to prosím znovu.</translation>
    </message>
</context>
<context>
    <name>BagModel</name>
    <message>
        <source>No longer in the catalog</source>
        <translation>Již není v katalogu</translation>
    </message>
    <message>
        <source>Availability not known on this kiosk</source>
        <translation>Dostupnost na tomto kiosku není známa</translation>
    </message>
    <message>
        <source>Out of stock everywhere</source>
        <translation>Nikde není skladem</translation>
    </message>
    <message numerus="yes">
        <source>Only %n available now</source>
        <translation>
            <numerusform>Nyní k dispozici jen %n ks</numerusform>
            <numerusform>Nyní k dispozici jen %n ks</numerusform>
            <numerusform>Nyní k dispozici jen %n ks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in this store</source>
        <translation>
            <numerusform>%n ks v této prodejně</numerusform>
            <numerusform>%n ks v této prodejně</numerusform>
            <numerusform>%n ks v této prodejně</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in this store, the rest from another location</source>
        <translation>
            <numerusform>%n ks v této prodejně, zbytek z jiného místa</numerusform>
            <numerusform>%n ks v této prodejně, zbytek z jiného místa</numerusform>
            <numerusform>%n ks v této prodejně, zbytek z jiného místa</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>From another store or warehouse (%n available)</source>
        <translation>
            <numerusform>Z jiné prodejny nebo skladu (k dispozici %n ks)</numerusform>
            <numerusform>Z jiné prodejny nebo skladu (k dispozici %n ks)</numerusform>
            <numerusform>Z jiné prodejny nebo skladu (k dispozici %n ks)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, quantity %2, %3</source>
        <translation>%1, množství %2, %3</translation>
    </message>
</context>
<context>
    <name>BagView</name>
    <message>
        <source>‹ Continue shopping</source>
        <translation>‹ Pokračovat v nákupu</translation>
    </message>
    <message>
        <source>Continue shopping</source>
        <translation>Pokračovat v nákupu</translation>
    </message>
    <message>
        <source>One fewer</source>
        <translation>O kus méně</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>O kus více</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Odebrat</translation>
    </message>
    <message>
        <source>Remove this product from the bag</source>
        <translation>Odebrat tento produkt z košíku</translation>
    </message>
    <message>
        <source>Empty the bag</source>
        <translation>Vyprázdnit košík</translation>
    </message>
    <message>
        <source>Remove every product from the bag</source>
        <translation>Odebrat z košíku všechny produkty</translation>
    </message>
    <message>
        <source>Hand to an associate</source>
        <translation>Předat obsluze</translation>
    </message>
    <message>
        <source>Show a code for an associate</source>
        <translation>Zobrazit kód pro obsluhu</translation>
    </message>
    <message>
        <source>Back to the bag</source>
        <translation>Zpět do košíku</translation>
    </message>
    <message>
        <source>Your bag</source>
        <translation>Váš košík</translation>
    </message>
    <message>
        <source>Products in the bag</source>
        <translation>Produkty v košíku</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Množství</translation>
    </message>
    <message>
        <source>Your bag is empty. Add products from their pages.</source>
        <translation>Košík je prázdný. Produkty přidáte na jejich stránkách.</translation>
    </message>
    <message>
        <source>Show this code to a store associate. They scan it to take over your bag.</source>
        <translation>Ukažte tento kód pracovníkovi prodejny. Po naskenování převezme váš košík.</translation>
    </message>
    <message>
        <source>Handoff code</source>
        <translation>Kód pro předání</translation>
    </message>
    <message>
        <source>QR code of your bag</source>
        <translation>QR kód vašeho košíku</translation>
    </message>
    <message>
        <source>Barcode of your bag</source>
        <translation>Čárový kód vašeho košíku</translation>
    </message>
    <message>
        <source>Added to your bag.</source>
        <translation>Přidáno do košíku.</translation>
    </message>
    <message>
        <source>This product is not in the catalog on this kiosk.</source>
        <translation>Tento produkt není v katalogu tohoto kiosku.</translation>
    </message>
    <message>
        <source>This product is not sold in this store&apos;s currency.</source>
        <translation>Tento produkt se v měně této prodejny neprodává.</translation>
    </message>
    <message numerus="yes">
        <source>Please enter a whole number from 1 to %n.</source>
        <translation>
            <numerusform>Zadejte prosím celé číslo od 1 do %n.</numerusform>
            <numerusform>Zadejte prosím celé číslo od 1 do %n.</numerusform>
            <numerusform>Zadejte prosím celé číslo od 1 do %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>Sorry, this product is out of stock.</source>
        <translation>Je nám líto, tento produkt není skladem.</translation>
    </message>
    <message numerus="yes">
        <source>Only %n available.</source>
        <translation>
            <numerusform>K dispozici je jen %n ks.</numerusform>
            <numerusform>K dispozici je jen %n ks.</numerusform>
            <numerusform>K dispozici je jen %n ks.</numerusform>
        </translation>
    </message>
    <message>
        <source>The bag is full. Please hand it to an associate first.</source>
        <translation>Košík je plný. Nejprve ho prosím předejte obsluze.</translation>
    </message>
    <message>
        <source>That product is no longer in your bag.</source>
        <translation>Tento produkt už ve vašem košíku není.</translation>
    </message>
    <message>
        <source>The bag could not be saved, so nothing was changed. Please ask staff.</source>
        <translation>Košík se nepodařilo uložit, nic se proto nezměnilo. Obraťte se prosím na personál.</translation>
    </message>
    <message>
        <source>A saved bag could not be read back. Please start a new one.</source>
        <translation>Uložený košík se nepodařilo načíst. Začněte prosím nový.</translation>
    </message>
    <message>
        <source>Add a product first: an empty bag has nothing to hand over.</source>
        <translation>Nejprve přidejte produkt: prázdný košík nelze předat.</translation>
    </message>
    <message>
        <source>Opened the customer&apos;s bag.</source>
        <translation>Košík zákazníka je otevřený.</translation>
    </message>
    <message>
        <source>This bag still holds products. Remove them before opening another customer&apos;s bag.</source>
        <translation>V tomto košíku ještě jsou produkty. Než otevřete košík jiného zákazníka, odeberte je.</translation>
    </message>
    <message>
        <source>This bag code could not be read. Please scan it again.</source>
        <translation>Kód košíku nelze přečíst. Naskenujte ho prosím znovu.</translation>
    </message>
    <message>
        <source>This bag code comes from a newer kiosk app. Please update this device.</source>
        <translation>Kód košíku pochází z novější verze aplikace kiosku. Aktualizujte prosím toto zařízení.</translation>
    </message>
    <message>
        <source>This bag holds products this device does not know yet. Please try again later.</source>
        <translation>Košík obsahuje produkty, které toto zařízení zatím nezná. Zkuste to prosím později.</translation>
    </message>
    <message>
        <source>This bag was already ordered on this device.</source>
        <translation>Tento košík už byl na tomto zařízení objednán.</translation>
    </message>
    <message>
        <source>Tap “Empty the bag” again to remove every product.</source>
        <translation>Klepněte znovu na „Vyprázdnit košík“ a odeberete všechny produkty.</translation>
    </message>
    <message>
        <source>1 item</source>
        <translation>1 kus</translation>
    </message>
    <message numerus="yes">
        <source>{count} items</source>
        <translation>
            <numerusform>{count} kus</numerusform>
            <numerusform>{count} kusy</numerusform>
            <numerusform>{count} kusů</numerusform>
        </translation>
    </message>
    <message>
        <source>Total: {total} ({items})</source>
        <translation>Celkem: {total} ({items})</translation>
    </message>
    <message>
        <source>The bag could not be shown. Your products are kept; try again.</source>
        <translation>Košík nelze zobrazit. Vaše produkty zůstávají uložené; zkuste to znovu.</translation>
    </message>
    <message>
        <source>This bag is too large for a barcode: please scan the QR code.</source>
        <translation>Košík je na čárový kód příliš velký: naskenujte prosím QR kód.</translation>
    </message>
</context>
<context>
    <name>CatalogView</name>
    <message>
        <source>Search products, brands, codes…</source>
        <translation>Hledat produkty, značky, kódy…</translation>
    </message>
    <message>
        <source>Search the catalog</source>
        <translation>Hledat v katalogu</translation>
    </message>
    <message>
        <source>All products</source>
        <translation>Všechny produkty</translation>
    </message>
    <message>
        <source>Show all categories</source>
        <translation>Zobrazit všechny kategorie</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>Kategorie</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>Značka</translation>
    </message>
    <message>
        <source>Filter by brand</source>
        <translation>Filtrovat podle značky</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Cena</translation>
    </message>
    <message>
        <source>Filter by price</source>
        <translation>Filtrovat podle ceny</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Hodnocení</translation>
    </message>
    <message numerus="yes">
        <source>Rated %n stars or more</source>
        <translation>
            <numerusform>Hodnocení od %n hvězdičky</numerusform>
            <numerusform>Hodnocení od %n hvězdiček</numerusform>
            <numerusform>Hodnocení od %n hvězdiček</numerusform>
        </translation>
    </message>
    <message>
        <source>Only products in stock in this store</source>
        <translation>Jen produkty skladem v této prodejně</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Zrušit filtry</translation>
    </message>
    <message>
        <source>Clear the search and all filters</source>
        <translation>Zrušit hledání a všechny filtry</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Zkuste to znovu</translation>
    </message>
    <message>
        <source>Try loading the catalog again</source>
        <translation>Zkuste katalog načíst znovu</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Produkty</translation>
    </message>
    <message numerus="yes">
        <source>more than {count} results</source>
        <translation>
            <numerusform>více než {count} výsledek</numerusform>
            <numerusform>více než {count} výsledky</numerusform>
            <numerusform>více než {count} výsledků</numerusform>
        </translation>
    </message>
    <message>
        <source>1 product</source>
        <translation>1 produkt</translation>
    </message>
    <message numerus="yes">
        <source>{count} products</source>
        <translation>
            <numerusform>{count} produkt</numerusform>
            <numerusform>{count} produkty</numerusform>
            <numerusform>{count} produktů</numerusform>
        </translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Vyhledávání…</translation>
    </message>
    <message>
        <source>Nothing matches “{text}”.</source>
        <translation>Výrazu „{text}“ nic neodpovídá.</translation>
    </message>
    <message>
        <source>Nothing matches these filters.</source>
        <translation>Těmto filtrům nic neodpovídá.</translation>
    </message>
    <message>
        <source>In stock here</source>
        <translation>Skladem zde</translation>
    </message>
    <message>
        <source>No product with code {code}.</source>
        <translation>Žádný produkt s kódem {code}.</translation>
    </message>
    <message>
        <source>“{code}” is not a product barcode. Please scan the code on the product.</source>
        <translation>„{code}“ není čárový kód produktu. Naskenujte prosím kód na produktu.</translation>
    </message>
    <message>
        <source>The catalog on this device cannot be read right now. Please try again in a moment.</source>
        <translation>Katalog na tomto zařízení teď nelze načíst. Zkuste to prosím za chvíli.</translation>
    </message>
    <message>
        <source>Something unexpected happened. The details are in the log.</source>
        <translation>Došlo k neočekávané chybě. Podrobnosti jsou v protokolu.</translation>
    </message>
</context>
<context>
    <name>Gallery</name>
    <message>
        <source>Product images</source>
        <translation>Obrázky produktu</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>Předchozí obrázek</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>Další obrázek</translation>
    </message>
    <message>
        <source>Image {number} of {count}</source>
        <translation>Obrázek {number} z {count}</translation>
    </message>
    <message>
        <source>No images</source>
        <translation>Žádné obrázky</translation>
    </message>
</context>
<context>
    <name>HomeView</name>
    <message>
        <source>Try again</source>
        <translation>Zkuste to znovu</translation>
    </message>
    <message>
        <source>Browse the catalog</source>
        <translation>Procházet katalog</translation>
    </message>
    <message>
        <source>Search products…</source>
        <translation>Hledat produkty…</translation>
    </message>
    <message>
        <source>Search products</source>
        <translation>Hledat produkty</translation>
    </message>
    <message>
        <source>Popular products</source>
        <translation>Oblíbené produkty</translation>
    </message>
    <message>
        <source>Popular right now</source>
        <translation>Právě oblíbené</translation>
    </message>
    <message>
        <source>OUR WHOLE RANGE</source>
        <translation>CELÝ NÁŠ SORTIMENT</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Prodejna</translation>
    </message>
    <message>
        <source>Self-service</source>
        <translation>Samoobsluha</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>Personál</translation>
    </message>
    <message>
        <source>Welcome to {store}</source>
        <translation>Vítejte v prodejně {store}</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Vítejte</translation>
    </message>
    <message>
        <source>Browse everything we sell, also what is not on the shelves here, check stock in nearby stores and order to pick up or to your door.</source>
        <translation>Prohlédněte si vše, co prodáváme, i to, co tu v regálech není. Ověřte dostupnost v okolních prodejnách a objednejte si s vyzvednutím nebo s doručením až domů.</translation>
    </message>
    <message>
        <source>Store tools</source>
        <translation>Nástroje prodejny</translation>
    </message>
    <message>
        <source>Endless-aisle orders, pickups and returns keep working when the network does not.</source>
        <translation>Objednávky z celého sortimentu, výdeje i vratky fungují, i když síť ne.</translation>
    </message>
    <message>
        <source>in 1 category</source>
        <translation>v 1 kategorii</translation>
    </message>
    <message numerus="yes">
        <source>in {count} categories</source>
        <translation>
            <numerusform>v {count} kategorii</numerusform>
            <numerusform>ve {count} kategoriích</numerusform>
            <numerusform>v {count} kategoriích</numerusform>
        </translation>
    </message>
    <message>
        <source>product {in_categories}</source>
        <translation>produkt {in_categories}</translation>
    </message>
    <message numerus="yes">
        <source>products {in_categories}</source>
        <translation>
            <numerusform>produkt {in_categories}</numerusform>
            <numerusform>produkty {in_categories}</numerusform>
            <numerusform>produktů {in_categories}</numerusform>
        </translation>
    </message>
    <message>
        <source>Popular products appear here once the catalog has loaded.</source>
        <translation>Oblíbené produkty se zde zobrazí po načtení katalogu.</translation>
    </message>
    <message>
        <source>Waiting for the central system</source>
        <translation>Čekání na centrální systém</translation>
    </message>
    <message>
        <source>The store&apos;s central system cannot be reached. This screen continues by itself when it is back.</source>
        <translation>Centrální systém prodejny je nedostupný. Jakmile bude opět k dispozici, obrazovka bude pokračovat sama.</translation>
    </message>
    <message>
        <source>This device needs to be enrolled</source>
        <translation>Toto zařízení je třeba zaregistrovat</translation>
    </message>
    <message>
        <source>Something is not working</source>
        <translation>Něco nefunguje</translation>
    </message>
    <message>
        <source>Getting ready…</source>
        <translation>Příprava…</translation>
    </message>
    <message>
        <source>Connecting this device…</source>
        <translation>Připojování zařízení…</translation>
    </message>
    <message>
        <source>Loading the catalog…</source>
        <translation>Načítání katalogu…</translation>
    </message>
    <message>
        <source>The central system no longer accepts this device&apos;s credentials. A store manager needs to enrol it again with a new enrolment key.</source>
        <translation>Centrální systém již nepřijímá přihlašovací údaje tohoto zařízení. Vedoucí prodejny ho musí znovu zaregistrovat s novým registračním klíčem.</translation>
    </message>
    <message>
        <source>This device has been revoked. A store manager can enrol it again with a new key.</source>
        <translation>Registrace tohoto zařízení byla zrušena. Vedoucí prodejny ho může znovu zaregistrovat s novým klíčem.</translation>
    </message>
    <message>
        <source>The enrolment key was not accepted: it is unknown, already used or expired.</source>
        <translation>Registrační klíč nebyl přijat: je neznámý, již použitý nebo mu vypršela platnost.</translation>
    </message>
    <message>
        <source>The enrolment is for a different kind of device (kiosk or associate).</source>
        <translation>Registrace je pro jiný typ zařízení (kiosek nebo zařízení personálu).</translation>
    </message>
    <message>
        <source>The enrolment is for a different store than this device is set up for.</source>
        <translation>Registrace je pro jinou prodejnu, než pro kterou je toto zařízení nastaveno.</translation>
    </message>
    <message>
        <source>This device was enrolled with a different central system.</source>
        <translation>Toto zařízení bylo zaregistrováno v jiném centrálním systému.</translation>
    </message>
    <message>
        <source>The device&apos;s enrolment file is damaged. Enrol it again with a new key.</source>
        <translation>Registrační soubor zařízení je poškozený. Zaregistrujte zařízení znovu s novým klíčem.</translation>
    </message>
    <message>
        <source>Start the app with an enrolment key from a store manager (--enrol-key).</source>
        <translation>Spusťte aplikaci s registračním klíčem od vedoucího prodejny (--enrol-key).</translation>
    </message>
    <message>
        <source>Another copy of the app or kiosk-sync is using this data folder. Close it, then try again.</source>
        <translation>Tuto datovou složku používá jiná kopie aplikace nebo kiosk-sync. Zavřete ji a zkuste to znovu.</translation>
    </message>
    <message>
        <source>The data folder cannot be used. The log file has the details.</source>
        <translation>Datovou složku nelze použít. Podrobnosti jsou v souboru protokolu.</translation>
    </message>
    <message>
        <source>The demo store server could not start. The log file has the details.</source>
        <translation>Server ukázkové prodejny se nepodařilo spustit. Podrobnosti jsou v souboru protokolu.</translation>
    </message>
    <message>
        <source>The central system answered with an error. Please try again in a moment.</source>
        <translation>Centrální systém odpověděl chybou. Zkuste to prosím za chvíli.</translation>
    </message>
    <message>
        <source>Something unexpected happened. The details are in the log.</source>
        <translation>Došlo k neočekávané chybě. Podrobnosti jsou v protokolu.</translation>
    </message>
</context>
<context>
    <name>LanguageSwitch</name>
    <message>
        <source>Language: %1</source>
        <translation>Jazyk: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Store</source>
        <translation>Prodejna</translation>
    </message>
    <message>
        <source>‹ Back</source>
        <translation>‹ Zpět</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zpět</translation>
    </message>
    <message>
        <source>⌂ Start</source>
        <translation>⌂ Úvod</translation>
    </message>
    <message numerus="yes">
        <source>Bag · %n</source>
        <translation>
            <numerusform>Košík · %n</numerusform>
            <numerusform>Košík · %n</numerusform>
            <numerusform>Košík · %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Your bag, %n item(s)</source>
        <translation>
            <numerusform>Váš košík, %n kus</numerusform>
            <numerusform>Váš košík, %n kusy</numerusform>
            <numerusform>Váš košík, %n kusů</numerusform>
        </translation>
    </message>
    <message>
        <source>Back to the start screen</source>
        <translation>Zpět na úvodní obrazovku</translation>
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
        <translation>Písmena s diakritikou</translation>
    </message>
    <message>
        <source>Keyboard language</source>
        <translation>Jazyk klávesnice</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Mezerník</translation>
    </message>
    <message>
        <source>Delete the last character</source>
        <translation>Smazat poslední znak</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>Hide the keyboard</source>
        <translation>Skrýt klávesnici</translation>
    </message>
</context>
<context>
    <name>ProductCardDelegate</name>
    <message>
        <source>In stock here</source>
        <translation>Skladem zde</translation>
    </message>
    <message>
        <source>Only a few left</source>
        <translation>Posledních pár kusů</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Není skladem</translation>
    </message>
    <message>
        <source>Available elsewhere</source>
        <translation>Dostupné jinde</translation>
    </message>
    <message>
        <source>No reviews</source>
        <translation>Bez recenzí</translation>
    </message>
</context>
<context>
    <name>ProductGridModel</name>
    <message>
        <source>Loading…</source>
        <translation>Načítání…</translation>
    </message>
</context>
<context>
    <name>ProductView</name>
    <message>
        <source>‹ Back</source>
        <translation>‹ Zpět</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zpět</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Zkuste to znovu</translation>
    </message>
    <message>
        <source>One fewer</source>
        <translation>O kus méně</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>O kus více</translation>
    </message>
    <message>
        <source>Add to bag</source>
        <translation>Přidat do košíku</translation>
    </message>
    <message>
        <source>Show all ratings</source>
        <translation>Zobrazit všechna hodnocení</translation>
    </message>
    <message>
        <source>Newest</source>
        <translation>Nejnovější</translation>
    </message>
    <message>
        <source>Newest reviews first</source>
        <translation>Od nejnovějších recenzí</translation>
    </message>
    <message>
        <source>Highest rated</source>
        <translation>Nejlépe hodnocené</translation>
    </message>
    <message>
        <source>Highest rated first</source>
        <translation>Od nejlépe hodnocených</translation>
    </message>
    <message>
        <source>Lowest rated</source>
        <translation>Nejhůře hodnocené</translation>
    </message>
    <message>
        <source>Lowest rated first</source>
        <translation>Od nejhůře hodnocených</translation>
    </message>
    <message>
        <source>All languages</source>
        <translation>Všechny jazyky</translation>
    </message>
    <message>
        <source>Reviews in all languages</source>
        <translation>Recenze ve všech jazycích</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Předchozí</translation>
    </message>
    <message>
        <source>Previous reviews</source>
        <translation>Předchozí recenze</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Další ›</translation>
    </message>
    <message>
        <source>Next reviews</source>
        <translation>Další recenze</translation>
    </message>
    <message numerus="yes">
        <source>Show %n-star reviews</source>
        <translation>
            <numerusform>Zobrazit recenze s %n hvězdičkou</numerusform>
            <numerusform>Zobrazit recenze se %n hvězdičkami</numerusform>
            <numerusform>Zobrazit recenze s %n hvězdičkami</numerusform>
        </translation>
    </message>
    <message>
        <source>Product details</source>
        <translation>Podrobnosti o produktu</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Recenze</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Popis</translation>
    </message>
    <message>
        <source>Specifications</source>
        <translation>Parametry</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>Dostupnost</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Varianty</translation>
    </message>
    <message>
        <source>Customer reviews</source>
        <translation>Recenze zákazníků</translation>
    </message>
    <message>
        <source>Sort:</source>
        <translation>Řadit:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Jazyk:</translation>
    </message>
    <message>
        <source>No reviews yet</source>
        <translation>Zatím bez recenzí</translation>
    </message>
    <message>
        <source>Not sold in this store</source>
        <translation>V této prodejně se neprodává</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Množství</translation>
    </message>
    <message>
        <source>This product is not in the catalog</source>
        <translation>Tento produkt není v katalogu</translation>
    </message>
    <message>
        <source>It may have been withdrawn. An associate can help you find something similar.</source>
        <translation>Možná byl stažen z prodeje. Obsluha vám pomůže najít něco podobného.</translation>
    </message>
    <message>
        <source>The product could not be shown</source>
        <translation>Produkt nelze zobrazit</translation>
    </message>
    <message>
        <source>Something unexpected happened. Please try again.</source>
        <translation>Došlo k neočekávané chybě. Zkuste to prosím znovu.</translation>
    </message>
    <message>
        <source>Loading the product…</source>
        <translation>Načítání produktu…</translation>
    </message>
    <message>
        <source>%1 (sold out)</source>
        <translation>%1 (vyprodáno)</translation>
    </message>
    <message>
        <source>Option %1</source>
        <translation>Varianta %1</translation>
    </message>
    <message>
        <source>Option %1, sold out</source>
        <translation>Varianta %1, vyprodáno</translation>
    </message>
    <message>
        <source>Live stock · as of %1</source>
        <translation>Aktuální zásoby · stav k %1</translation>
    </message>
    <message>
        <source>Last known stock · as of %1 · not confirmed in the last minute</source>
        <translation>Poslední známý stav · k %1 · v poslední minutě nepotvrzen</translation>
    </message>
    <message>
        <source>Offline · last known stock as of %1</source>
        <translation>Offline · poslední známý stav k %1</translation>
    </message>
    <message>
        <source>Offline · stock figures may be out of date</source>
        <translation>Offline · údaje o zásobách nemusí být aktuální</translation>
    </message>
    <message>
        <source>No stock figures yet</source>
        <translation>Zatím bez údajů o zásobách</translation>
    </message>
    <message>
        <source>%1 (this store)</source>
        <translation>%1 (tato prodejna)</translation>
    </message>
    <message>
        <source>warehouse</source>
        <translation>sklad</translation>
    </message>
    <message numerus="yes">
        <source>%n available</source>
        <translation>
            <numerusform>Skladem %n ks</numerusform>
            <numerusform>Skladem %n ks</numerusform>
            <numerusform>Skladem %n ks</numerusform>
        </translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Není skladem</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>stav k %1</translation>
    </message>
    <message>
        <source>Reviews in %1</source>
        <translation>Recenze v jazyce: %1</translation>
    </message>
    <message>
        <source>Loading reviews…</source>
        <translation>Načítání recenzí…</translation>
    </message>
    <message>
        <source>No reviews match these filters.</source>
        <translation>Těmto filtrům neodpovídají žádné recenze.</translation>
    </message>
    <message>
        <source>No reviews yet.</source>
        <translation>Zatím žádné recenze.</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>%1–%2 z %3</translation>
    </message>
    <message>
        <source>1 review</source>
        <translation>1 recenze</translation>
    </message>
    <message numerus="yes">
        <source>%n reviews</source>
        <translation>
            <numerusform>%n recenze</numerusform>
            <numerusform>%n recenze</numerusform>
            <numerusform>%n recenzí</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewDelegate</name>
    <message>
        <source>✓ Verified purchase</source>
        <translation>✓ Ověřený nákup</translation>
    </message>
</context>
<context>
    <name>ReviewListModel</name>
    <message numerus="yes">
        <source>%n of 5 stars</source>
        <translation>
            <numerusform>%n z 5 hvězdiček</numerusform>
            <numerusform>%n z 5 hvězdiček</numerusform>
            <numerusform>%n z 5 hvězdiček</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatusView</name>
    <message>
        <source>Sync status</source>
        <translation>Stav synchronizace</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Připojení</translation>
    </message>
    <message>
        <source>Status message</source>
        <translation>Stavová zpráva</translation>
    </message>
    <message>
        <source>Catalog download progress</source>
        <translation>Průběh stahování katalogu</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>Poslední úspěšná synchronizace</translation>
    </message>
    <message>
        <source>Actions waiting to be sent</source>
        <translation>Akce čekající na odeslání</translation>
    </message>
    <message>
        <source>Nothing waiting to send</source>
        <translation>Nic nečeká na odeslání</translation>
    </message>
    <message numerus="yes">
        <source>Waiting to send: %n</source>
        <translation>
            <numerusform>Čeká na odeslání: %n</numerusform>
            <numerusform>Čeká na odeslání: %n</numerusform>
            <numerusform>Čeká na odeslání: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● Online</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation>● Offline</translation>
    </message>
    <message>
        <source>● Connecting…</source>
        <translation>● Připojování…</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Zatím nesynchronizováno</translation>
    </message>
    <message>
        <source>Synced just now</source>
        <translation>Synchronizováno právě teď</translation>
    </message>
    <message numerus="yes">
        <source>Synced %n min ago</source>
        <translation>
            <numerusform>Synchronizováno před %n min</numerusform>
            <numerusform>Synchronizováno před %n min</numerusform>
            <numerusform>Synchronizováno před %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced %n h ago</source>
        <translation>
            <numerusform>Synchronizováno před %n h</numerusform>
            <numerusform>Synchronizováno před %n h</numerusform>
            <numerusform>Synchronizováno před %n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced %n days ago</source>
        <translation>
            <numerusform>Synchronizováno před %n dnem</numerusform>
            <numerusform>Synchronizováno před %n dny</numerusform>
            <numerusform>Synchronizováno před %n dny</numerusform>
        </translation>
    </message>
    <message>
        <source>Downloading the catalog… {percent}%</source>
        <translation>Stahování katalogu… {percent}&#xa0;%</translation>
    </message>
    <message>
        <source>paused while offline</source>
        <translation>pozastaveno v režimu offline</translation>
    </message>
    <message>
        <source>Working offline with the data from the last sync</source>
        <translation>Práce offline s daty z poslední synchronizace</translation>
    </message>
    <message>
        <source>Waiting for the central system…</source>
        <translation>Čekání na centrální systém…</translation>
    </message>
    <message>
        <source>Connecting to the central system…</source>
        <translation>Připojování k centrálnímu systému…</translation>
    </message>
    <message>
        <source>All data up to date</source>
        <translation>Všechna data jsou aktuální</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Připojeno</translation>
    </message>
    <message>
        <source>Starting the demo store server…</source>
        <translation>Spouštění serveru ukázkové prodejny…</translation>
    </message>
    <message>
        <source>Creating the demo store (first start only)… {done} of {total} products</source>
        <translation>Vytváření ukázkové prodejny (jen při prvním spuštění)… {done} z {total} produktů</translation>
    </message>
    <message>
        <source>The demo server could not start. The log file has the details.</source>
        <translation>Ukázkový server se nepodařilo spustit. Podrobnosti jsou v souboru protokolu.</translation>
    </message>
    <message>
        <source>Another copy of the app or kiosk-sync is using this data folder.</source>
        <translation>Tuto datovou složku používá jiná kopie aplikace nebo kiosk-sync.</translation>
    </message>
    <message>
        <source>The data folder cannot be used. The log file has the details.</source>
        <translation>Datovou složku nelze použít. Podrobnosti jsou v souboru protokolu.</translation>
    </message>
    <message>
        <source>This device needs to be enrolled again. Ask a store manager.</source>
        <translation>Toto zařízení je třeba znovu zaregistrovat. Obraťte se na vedoucího prodejny.</translation>
    </message>
    <message>
        <source>The central system refuses to sync with this device. Ask a store manager.</source>
        <translation>Centrální systém odmítá synchronizaci s tímto zařízením. Obraťte se na vedoucího prodejny.</translation>
    </message>
    <message>
        <source>The central system answered with an error. Trying again later.</source>
        <translation>Centrální systém odpověděl chybou. Pokus se později zopakuje.</translation>
    </message>
    <message>
        <source>Something went wrong and the screen was reset. The details are in the log.</source>
        <translation>Něco se pokazilo a obrazovka byla obnovena. Podrobnosti jsou v protokolu.</translation>
    </message>
    <message numerus="yes">
        <source>about %n s left</source>
        <translation>
            <numerusform>zbývá asi %n s</numerusform>
            <numerusform>zbývají asi %n s</numerusform>
            <numerusform>zbývá asi %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>zbývá asi %n min</numerusform>
            <numerusform>zbývají asi %n min</numerusform>
            <numerusform>zbývá asi %n min</numerusform>
        </translation>
    </message>
</context>
</TS>
