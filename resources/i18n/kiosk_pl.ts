<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pl">
<context>
    <name>AttractView</name>
    <message>
        <source>Welcome</source>
        <translation>Witamy</translation>
    </message>
    <message>
        <source>Browse the whole catalog, check stock and build your bag.</source>
        <translation>Zapraszamy do przeglądania katalogu, sprawdzania dostępności i kompletowania koszyka.</translation>
    </message>
    <message>
        <source>Touch to start</source>
        <translation>Dotknij, aby rozpocząć</translation>
    </message>
    <message>
        <source>Start browsing</source>
        <translation>Rozpocznij przeglądanie</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>Wysoki kontrast</translation>
    </message>
    <message>
        <source>High contrast display</source>
        <translation>Widok o wysokim kontraście</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personel</translation>
    </message>
    <message>
        <source>Staff sign-in</source>
        <translation>Logowanie personelu</translation>
    </message>
    <message>
        <source>Start screen</source>
        <translation>Ekran startowy</translation>
    </message>
</context>
<context>
    <name>BadgeView</name>
    <message>
        <source>Staff sign-in</source>
        <translation>Logowanie personelu</translation>
    </message>
    <message>
        <source>Scan your badge, or enter your employee ID and PIN.</source>
        <translation>Zeskanuj identyfikator albo wpisz numer pracownika i PIN.</translation>
    </message>
    <message>
        <source>Badge</source>
        <translation>Identyfikator</translation>
    </message>
    <message>
        <source>Scan your badge</source>
        <translation>Zeskanuj identyfikator</translation>
    </message>
    <message>
        <source>Employee ID</source>
        <translation>Numer pracownika</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Zaloguj się</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Anuluj</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Logowanie…</translation>
    </message>
    <message>
        <source>Signed in as %1.</source>
        <translation>Zalogowano jako %1.</translation>
    </message>
    <message>
        <source>That is not a badge or PIN of this store. Please try again.</source>
        <translation>To nie jest identyfikator ani PIN tego sklepu. Spróbuj ponownie.</translation>
    </message>
    <message>
        <source>Badge or PIN not recognised.</source>
        <translation>Nie rozpoznano identyfikatora ani PIN-u.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Sign-in is locked for a while.</source>
        <translation>Zbyt wiele błędnych PIN-ów. Logowanie jest na jakiś czas zablokowane.</translation>
    </message>
    <message>
        <source>This associate does not work at this store.</source>
        <translation>Ten pracownik nie pracuje w tym sklepie.</translation>
    </message>
    <message>
        <source>Associates cannot sign in on this device.</source>
        <translation>Personel nie może logować się na tym urządzeniu.</translation>
    </message>
    <message>
        <source>Signing in needs the central system, which cannot be reached.</source>
        <translation>Logowanie wymaga systemu centralnego, który jest niedostępny.</translation>
    </message>
    <message>
        <source>Signing in failed. Please try again.</source>
        <translation>Logowanie nie powiodło się. Spróbuj ponownie.</translation>
    </message>
</context>
<context>
    <name>BagModel</name>
    <message>
        <source>No longer in the catalog</source>
        <translation>Wycofany z katalogu</translation>
    </message>
    <message>
        <source>Availability not known on this kiosk</source>
        <translation>Brak danych o dostępności w tym kiosku</translation>
    </message>
    <message>
        <source>Out of stock everywhere</source>
        <translation>Niedostępny w żadnej lokalizacji</translation>
    </message>
    <message numerus="yes">
        <source>Only %n available now</source>
        <translation>
            <numerusform>Teraz dostępne tylko %n szt.</numerusform>
            <numerusform>Teraz dostępne tylko %n szt.</numerusform>
            <numerusform>Teraz dostępne tylko %n szt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in this store</source>
        <translation>
            <numerusform>%n szt. w tym sklepie</numerusform>
            <numerusform>%n szt. w tym sklepie</numerusform>
            <numerusform>%n szt. w tym sklepie</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in this store, the rest from another location</source>
        <translation>
            <numerusform>%n szt. w tym sklepie, reszta z innej lokalizacji</numerusform>
            <numerusform>%n szt. w tym sklepie, reszta z innej lokalizacji</numerusform>
            <numerusform>%n szt. w tym sklepie, reszta z innej lokalizacji</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>From another store or warehouse (%n available)</source>
        <translation>
            <numerusform>Z innego sklepu lub magazynu (dostępne: %n szt.)</numerusform>
            <numerusform>Z innego sklepu lub magazynu (dostępne: %n szt.)</numerusform>
            <numerusform>Z innego sklepu lub magazynu (dostępne: %n szt.)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, quantity %2, %3</source>
        <translation>%1, ilość %2, %3</translation>
    </message>
</context>
<context>
    <name>BagView</name>
    <message>
        <source>‹ Continue shopping</source>
        <translation>‹ Kontynuuj zakupy</translation>
    </message>
    <message>
        <source>Continue shopping</source>
        <translation>Kontynuuj zakupy</translation>
    </message>
    <message>
        <source>One fewer</source>
        <translation>O jeden mniej</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>O jeden więcej</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Usuń</translation>
    </message>
    <message>
        <source>Remove this product from the bag</source>
        <translation>Usuń ten produkt z koszyka</translation>
    </message>
    <message>
        <source>Empty the bag</source>
        <translation>Opróżnij koszyk</translation>
    </message>
    <message>
        <source>Remove every product from the bag</source>
        <translation>Usuń wszystkie produkty z koszyka</translation>
    </message>
    <message>
        <source>Hand to an associate</source>
        <translation>Przekaż sprzedawcy</translation>
    </message>
    <message>
        <source>Show a code for an associate</source>
        <translation>Pokaż kod dla sprzedawcy</translation>
    </message>
    <message>
        <source>Back to the bag</source>
        <translation>Wróć do koszyka</translation>
    </message>
    <message>
        <source>Your bag</source>
        <translation>Koszyk</translation>
    </message>
    <message>
        <source>Products in the bag</source>
        <translation>Produkty w koszyku</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Ilość</translation>
    </message>
    <message>
        <source>Your bag is empty. Add products from their pages.</source>
        <translation>Koszyk jest pusty. Produkty można dodać na ich stronach.</translation>
    </message>
    <message>
        <source>Show this code to a store associate. They scan it to take over your bag.</source>
        <translation>Proszę pokazać ten kod pracownikowi sklepu. Po zeskanowaniu przejmie on koszyk.</translation>
    </message>
    <message>
        <source>Handoff code</source>
        <translation>Kod przekazania</translation>
    </message>
    <message>
        <source>QR code of your bag</source>
        <translation>Kod QR koszyka</translation>
    </message>
    <message>
        <source>Barcode of your bag</source>
        <translation>Kod kreskowy koszyka</translation>
    </message>
    <message>
        <source>Added to your bag.</source>
        <translation>Dodano do koszyka.</translation>
    </message>
    <message>
        <source>This product is not in the catalog on this kiosk.</source>
        <translation>Tego produktu nie ma w katalogu tego kiosku.</translation>
    </message>
    <message>
        <source>This product is not sold in this store&apos;s currency.</source>
        <translation>Ten produkt nie jest sprzedawany w walucie tego sklepu.</translation>
    </message>
    <message numerus="yes">
        <source>Please enter a whole number from 1 to %n.</source>
        <translation>
            <numerusform>Proszę wpisać liczbę całkowitą od 1 do %n.</numerusform>
            <numerusform>Proszę wpisać liczbę całkowitą od 1 do %n.</numerusform>
            <numerusform>Proszę wpisać liczbę całkowitą od 1 do %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>Sorry, this product is out of stock.</source>
        <translation>Przepraszamy, ten produkt jest niedostępny.</translation>
    </message>
    <message numerus="yes">
        <source>Only %n available.</source>
        <translation>
            <numerusform>Dostępne tylko %n szt.</numerusform>
            <numerusform>Dostępne tylko %n szt.</numerusform>
            <numerusform>Dostępne tylko %n szt.</numerusform>
        </translation>
    </message>
    <message>
        <source>The bag is full. Please hand it to an associate first.</source>
        <translation>Koszyk jest pełny. Proszę najpierw przekazać go sprzedawcy.</translation>
    </message>
    <message>
        <source>That product is no longer in your bag.</source>
        <translation>Tego produktu nie ma już w koszyku.</translation>
    </message>
    <message>
        <source>The bag could not be saved, so nothing was changed. Please ask staff.</source>
        <translation>Nie udało się zapisać koszyka, więc nic nie zmieniono. Proszę zwrócić się do personelu.</translation>
    </message>
    <message>
        <source>A saved bag could not be read back. Please start a new one.</source>
        <translation>Nie udało się odczytać zapisanego koszyka. Proszę zacząć nowy.</translation>
    </message>
    <message>
        <source>Add a product first: an empty bag has nothing to hand over.</source>
        <translation>Najpierw należy dodać produkt: pustego koszyka nie można przekazać.</translation>
    </message>
    <message>
        <source>Opened the customer&apos;s bag.</source>
        <translation>Otwarto koszyk klienta.</translation>
    </message>
    <message>
        <source>This bag still holds products. Remove them before opening another customer&apos;s bag.</source>
        <translation>W tym koszyku są jeszcze produkty. Przed otwarciem koszyka innego klienta należy je usunąć.</translation>
    </message>
    <message>
        <source>This bag code could not be read. Please scan it again.</source>
        <translation>Nie udało się odczytać kodu koszyka. Proszę zeskanować go ponownie.</translation>
    </message>
    <message>
        <source>This bag code comes from a newer kiosk app. Please update this device.</source>
        <translation>Ten kod koszyka pochodzi z nowszej wersji aplikacji kiosku. Proszę zaktualizować to urządzenie.</translation>
    </message>
    <message>
        <source>This bag holds products this device does not know yet. Please try again later.</source>
        <translation>Koszyk zawiera produkty, których to urządzenie jeszcze nie zna. Proszę spróbować później.</translation>
    </message>
    <message>
        <source>This bag was already ordered on this device.</source>
        <translation>Ten koszyk został już zamówiony na tym urządzeniu.</translation>
    </message>
    <message>
        <source>Tap “Empty the bag” again to remove every product.</source>
        <translation>Dotknij ponownie „Opróżnij koszyk”, aby usunąć wszystkie produkty.</translation>
    </message>
    <message>
        <source>1 item</source>
        <translation>1 sztuka</translation>
    </message>
    <message numerus="yes">
        <source>{count} items</source>
        <translation>
            <numerusform>{count} sztuka</numerusform>
            <numerusform>{count} sztuki</numerusform>
            <numerusform>{count} sztuk</numerusform>
        </translation>
    </message>
    <message>
        <source>Total: {total} ({items})</source>
        <translation>Razem: {total} ({items})</translation>
    </message>
    <message>
        <source>The bag could not be shown. Your products are kept; try again.</source>
        <translation>Nie można wyświetlić koszyka. Produkty są zachowane; spróbuj ponownie.</translation>
    </message>
    <message>
        <source>This bag is too large for a barcode: please scan the QR code.</source>
        <translation>Koszyk jest za duży na kod kreskowy: proszę zeskanować kod QR.</translation>
    </message>
</context>
<context>
    <name>CatalogView</name>
    <message>
        <source>Search products, brands, codes…</source>
        <translation>Szukaj produktów, marek, kodów…</translation>
    </message>
    <message>
        <source>Search the catalog</source>
        <translation>Szukaj w katalogu</translation>
    </message>
    <message>
        <source>All products</source>
        <translation>Wszystkie produkty</translation>
    </message>
    <message>
        <source>Show all categories</source>
        <translation>Pokaż wszystkie kategorie</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>Kategorie</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>Marka</translation>
    </message>
    <message>
        <source>Filter by brand</source>
        <translation>Filtruj według marki</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Cena</translation>
    </message>
    <message>
        <source>Filter by price</source>
        <translation>Filtruj według ceny</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Ocena</translation>
    </message>
    <message numerus="yes">
        <source>Rated %n stars or more</source>
        <translation>
            <numerusform>Ocena: co najmniej %n gwiazdka</numerusform>
            <numerusform>Ocena: co najmniej %n gwiazdki</numerusform>
            <numerusform>Ocena: co najmniej %n gwiazdek</numerusform>
        </translation>
    </message>
    <message>
        <source>Only products in stock in this store</source>
        <translation>Tylko produkty dostępne w tym sklepie</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Wyczyść filtry</translation>
    </message>
    <message>
        <source>Clear the search and all filters</source>
        <translation>Wyczyść wyszukiwanie i wszystkie filtry</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Spróbuj ponownie</translation>
    </message>
    <message>
        <source>Try loading the catalog again</source>
        <translation>Spróbuj ponownie wczytać katalog</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Produkty</translation>
    </message>
    <message numerus="yes">
        <source>more than {count} results</source>
        <translation>
            <numerusform>ponad {count} wynik</numerusform>
            <numerusform>ponad {count} wyniki</numerusform>
            <numerusform>ponad {count} wyników</numerusform>
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
            <numerusform>{count} produktów</numerusform>
        </translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Wyszukiwanie…</translation>
    </message>
    <message>
        <source>Nothing matches “{text}”.</source>
        <translation>Brak wyników dla „{text}”.</translation>
    </message>
    <message>
        <source>Nothing matches these filters.</source>
        <translation>Brak wyników dla tych filtrów.</translation>
    </message>
    <message>
        <source>In stock here</source>
        <translation>Dostępne tutaj</translation>
    </message>
    <message>
        <source>No product with code {code}.</source>
        <translation>Brak produktu o kodzie {code}.</translation>
    </message>
    <message>
        <source>“{code}” is not a product barcode. Please scan the code on the product.</source>
        <translation>„{code}” nie jest kodem kreskowym produktu. Proszę zeskanować kod z produktu.</translation>
    </message>
    <message>
        <source>The catalog on this device cannot be read right now. Please try again in a moment.</source>
        <translation>Nie można teraz odczytać katalogu na tym urządzeniu. Proszę spróbować za chwilę.</translation>
    </message>
    <message>
        <source>Something unexpected happened. The details are in the log.</source>
        <translation>Wystąpił nieoczekiwany błąd. Szczegóły są w dzienniku.</translation>
    </message>
</context>
<context>
    <name>Gallery</name>
    <message>
        <source>Product images</source>
        <translation>Zdjęcia produktu</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>Poprzednie zdjęcie</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>Następne zdjęcie</translation>
    </message>
    <message>
        <source>Image {number} of {count}</source>
        <translation>Zdjęcie {number} z {count}</translation>
    </message>
    <message>
        <source>No images</source>
        <translation>Brak zdjęć</translation>
    </message>
</context>
<context>
    <name>HomeView</name>
    <message>
        <source>Try again</source>
        <translation>Spróbuj ponownie</translation>
    </message>
    <message>
        <source>Browse the catalog</source>
        <translation>Przeglądaj katalog</translation>
    </message>
    <message>
        <source>Search products…</source>
        <translation>Szukaj produktów…</translation>
    </message>
    <message>
        <source>Search products</source>
        <translation>Szukaj produktów</translation>
    </message>
    <message>
        <source>Popular products</source>
        <translation>Popularne produkty</translation>
    </message>
    <message>
        <source>Popular right now</source>
        <translation>Teraz popularne</translation>
    </message>
    <message>
        <source>OUR WHOLE RANGE</source>
        <translation>CAŁY NASZ ASORTYMENT</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Sklep</translation>
    </message>
    <message>
        <source>Self-service</source>
        <translation>Samoobsługa</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>Pracownik</translation>
    </message>
    <message>
        <source>Welcome to {store}</source>
        <translation>Witamy w sklepie {store}</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Witamy</translation>
    </message>
    <message>
        <source>Browse everything we sell, also what is not on the shelves here, check stock in nearby stores and order to pick up or to your door.</source>
        <translation>Zapraszamy do przeglądania całej oferty, także tego, czego nie ma tu na półkach. Można sprawdzić dostępność w pobliskich sklepach i zamówić z odbiorem osobistym lub z dostawą do domu.</translation>
    </message>
    <message>
        <source>Store tools</source>
        <translation>Narzędzia sklepu</translation>
    </message>
    <message>
        <source>Endless-aisle orders, pickups and returns keep working when the network does not.</source>
        <translation>Zamówienia z pełnej oferty, odbiory i zwroty działają także bez sieci.</translation>
    </message>
    <message>
        <source>in 1 category</source>
        <translation>w 1 kategorii</translation>
    </message>
    <message numerus="yes">
        <source>in {count} categories</source>
        <translation>
            <numerusform>w {count} kategorii</numerusform>
            <numerusform>w {count} kategoriach</numerusform>
            <numerusform>w {count} kategoriach</numerusform>
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
            <numerusform>produktów {in_categories}</numerusform>
        </translation>
    </message>
    <message>
        <source>Popular products appear here once the catalog has loaded.</source>
        <translation>Popularne produkty pojawią się tutaj po wczytaniu katalogu.</translation>
    </message>
    <message>
        <source>Waiting for the central system</source>
        <translation>Oczekiwanie na system centralny</translation>
    </message>
    <message>
        <source>The store&apos;s central system cannot be reached. This screen continues by itself when it is back.</source>
        <translation>System centralny sklepu jest niedostępny. Ten ekran sam wznowi działanie, gdy system znów będzie dostępny.</translation>
    </message>
    <message>
        <source>This device needs to be enrolled</source>
        <translation>To urządzenie wymaga rejestracji</translation>
    </message>
    <message>
        <source>Something is not working</source>
        <translation>Coś nie działa</translation>
    </message>
    <message>
        <source>Getting ready…</source>
        <translation>Przygotowywanie…</translation>
    </message>
    <message>
        <source>Connecting this device…</source>
        <translation>Łączenie urządzenia…</translation>
    </message>
    <message>
        <source>Loading the catalog…</source>
        <translation>Wczytywanie katalogu…</translation>
    </message>
    <message>
        <source>The central system no longer accepts this device&apos;s credentials. A store manager needs to enrol it again with a new enrolment key.</source>
        <translation>System centralny nie akceptuje już danych uwierzytelniających tego urządzenia. Kierownik sklepu musi zarejestrować je ponownie nowym kluczem rejestracyjnym.</translation>
    </message>
    <message>
        <source>This device has been revoked. A store manager can enrol it again with a new key.</source>
        <translation>Rejestracja tego urządzenia została cofnięta. Kierownik sklepu może zarejestrować je ponownie nowym kluczem.</translation>
    </message>
    <message>
        <source>The enrolment key was not accepted: it is unknown, already used or expired.</source>
        <translation>Klucz rejestracyjny nie został przyjęty: jest nieznany, już użyty lub wygasł.</translation>
    </message>
    <message>
        <source>The enrolment is for a different kind of device (kiosk or associate).</source>
        <translation>Rejestracja dotyczy innego typu urządzenia (kiosk lub urządzenie pracownika).</translation>
    </message>
    <message>
        <source>The enrolment is for a different store than this device is set up for.</source>
        <translation>Rejestracja dotyczy innego sklepu niż ten, dla którego skonfigurowano to urządzenie.</translation>
    </message>
    <message>
        <source>This device was enrolled with a different central system.</source>
        <translation>To urządzenie zostało zarejestrowane w innym systemie centralnym.</translation>
    </message>
    <message>
        <source>The device&apos;s enrolment file is damaged. Enrol it again with a new key.</source>
        <translation>Plik rejestracji urządzenia jest uszkodzony. Należy zarejestrować je ponownie nowym kluczem.</translation>
    </message>
    <message>
        <source>Start the app with an enrolment key from a store manager (--enrol-key).</source>
        <translation>Uruchom aplikację z kluczem rejestracyjnym od kierownika sklepu (--enrol-key).</translation>
    </message>
    <message>
        <source>Another copy of the app or kiosk-sync is using this data folder. Close it, then try again.</source>
        <translation>Z tego folderu danych korzysta inna kopia aplikacji lub kiosk-sync. Zamknij ją i spróbuj ponownie.</translation>
    </message>
    <message>
        <source>The data folder cannot be used. The log file has the details.</source>
        <translation>Nie można użyć folderu danych. Szczegóły są w pliku dziennika.</translation>
    </message>
    <message>
        <source>The demo store server could not start. The log file has the details.</source>
        <translation>Nie udało się uruchomić serwera sklepu demonstracyjnego. Szczegóły są w pliku dziennika.</translation>
    </message>
    <message>
        <source>The central system answered with an error. Please try again in a moment.</source>
        <translation>System centralny zwrócił błąd. Proszę spróbować za chwilę.</translation>
    </message>
    <message>
        <source>Something unexpected happened. The details are in the log.</source>
        <translation>Wystąpił nieoczekiwany błąd. Szczegóły są w dzienniku.</translation>
    </message>
</context>
<context>
    <name>LanguageSwitch</name>
    <message>
        <source>Language: %1</source>
        <translation>Język: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Store</source>
        <translation>Sklep</translation>
    </message>
    <message>
        <source>‹ Back</source>
        <translation>‹ Wstecz</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Wstecz</translation>
    </message>
    <message>
        <source>⌂ Start</source>
        <translation>⌂ Start</translation>
    </message>
    <message numerus="yes">
        <source>Bag · %n</source>
        <translation>
            <numerusform>Koszyk · %n</numerusform>
            <numerusform>Koszyk · %n</numerusform>
            <numerusform>Koszyk · %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Your bag, %n item(s)</source>
        <translation>
            <numerusform>Koszyk, %n sztuka</numerusform>
            <numerusform>Koszyk, %n sztuki</numerusform>
            <numerusform>Koszyk, %n sztuk</numerusform>
        </translation>
    </message>
    <message>
        <source>Back to the start screen</source>
        <translation>Wróć do ekranu startowego</translation>
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
        <translation>Znaki diakrytyczne</translation>
    </message>
    <message>
        <source>Keyboard language</source>
        <translation>Język klawiatury</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Spacja</translation>
    </message>
    <message>
        <source>Delete the last character</source>
        <translation>Usuń ostatni znak</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>Hide the keyboard</source>
        <translation>Ukryj klawiaturę</translation>
    </message>
</context>
<context>
    <name>ProductCardDelegate</name>
    <message>
        <source>In stock here</source>
        <translation>Dostępne tutaj</translation>
    </message>
    <message>
        <source>Only a few left</source>
        <translation>Ostatnie sztuki</translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Brak na stanie</translation>
    </message>
    <message>
        <source>Available elsewhere</source>
        <translation>Dostępny gdzie indziej</translation>
    </message>
    <message>
        <source>No reviews</source>
        <translation>Brak opinii</translation>
    </message>
</context>
<context>
    <name>ProductGridModel</name>
    <message>
        <source>Loading…</source>
        <translation>Wczytywanie…</translation>
    </message>
</context>
<context>
    <name>ProductView</name>
    <message>
        <source>‹ Back</source>
        <translation>‹ Wstecz</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Wstecz</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Spróbuj ponownie</translation>
    </message>
    <message>
        <source>One fewer</source>
        <translation>O jeden mniej</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>O jeden więcej</translation>
    </message>
    <message>
        <source>Add to bag</source>
        <translation>Dodaj do koszyka</translation>
    </message>
    <message>
        <source>Show all ratings</source>
        <translation>Pokaż wszystkie oceny</translation>
    </message>
    <message>
        <source>Newest</source>
        <translation>Najnowsze</translation>
    </message>
    <message>
        <source>Newest reviews first</source>
        <translation>Najpierw najnowsze opinie</translation>
    </message>
    <message>
        <source>Highest rated</source>
        <translation>Najwyżej oceniane</translation>
    </message>
    <message>
        <source>Highest rated first</source>
        <translation>Najpierw najwyżej oceniane</translation>
    </message>
    <message>
        <source>Lowest rated</source>
        <translation>Najniżej oceniane</translation>
    </message>
    <message>
        <source>Lowest rated first</source>
        <translation>Najpierw najniżej oceniane</translation>
    </message>
    <message>
        <source>All languages</source>
        <translation>Wszystkie języki</translation>
    </message>
    <message>
        <source>Reviews in all languages</source>
        <translation>Opinie we wszystkich językach</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Poprzednie</translation>
    </message>
    <message>
        <source>Previous reviews</source>
        <translation>Poprzednie opinie</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Następne ›</translation>
    </message>
    <message>
        <source>Next reviews</source>
        <translation>Następne opinie</translation>
    </message>
    <message numerus="yes">
        <source>Show %n-star reviews</source>
        <translation>
            <numerusform>Pokaż opinie z %n gwiazdką</numerusform>
            <numerusform>Pokaż opinie z %n gwiazdkami</numerusform>
            <numerusform>Pokaż opinie z %n gwiazdkami</numerusform>
        </translation>
    </message>
    <message>
        <source>Product details</source>
        <translation>Szczegóły produktu</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Opinie</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Opis</translation>
    </message>
    <message>
        <source>Specifications</source>
        <translation>Specyfikacja</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>Dostępność</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Warianty</translation>
    </message>
    <message>
        <source>Customer reviews</source>
        <translation>Opinie klientów</translation>
    </message>
    <message>
        <source>Sort:</source>
        <translation>Sortuj:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Język:</translation>
    </message>
    <message>
        <source>No reviews yet</source>
        <translation>Brak opinii</translation>
    </message>
    <message>
        <source>Not sold in this store</source>
        <translation>Nie jest sprzedawany w tym sklepie</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Ilość</translation>
    </message>
    <message>
        <source>This product is not in the catalog</source>
        <translation>Tego produktu nie ma w katalogu</translation>
    </message>
    <message>
        <source>It may have been withdrawn. An associate can help you find something similar.</source>
        <translation>Mógł zostać wycofany ze sprzedaży. Pracownik sklepu pomoże znaleźć coś podobnego.</translation>
    </message>
    <message>
        <source>The product could not be shown</source>
        <translation>Nie można wyświetlić produktu</translation>
    </message>
    <message>
        <source>Something unexpected happened. Please try again.</source>
        <translation>Wystąpił nieoczekiwany błąd. Spróbuj ponownie.</translation>
    </message>
    <message>
        <source>Loading the product…</source>
        <translation>Wczytywanie produktu…</translation>
    </message>
    <message>
        <source>%1 (sold out)</source>
        <translation>%1 (wyprzedany)</translation>
    </message>
    <message>
        <source>Option %1</source>
        <translation>Wariant %1</translation>
    </message>
    <message>
        <source>Option %1, sold out</source>
        <translation>Wariant %1, wyprzedany</translation>
    </message>
    <message>
        <source>Live stock · as of %1</source>
        <translation>Aktualny stan na %1</translation>
    </message>
    <message>
        <source>Last known stock · as of %1 · not confirmed in the last minute</source>
        <translation>Ostatni znany stan · na %1 · niepotwierdzony w ostatniej minucie</translation>
    </message>
    <message>
        <source>Offline · last known stock as of %1</source>
        <translation>Offline · ostatni znany stan na %1</translation>
    </message>
    <message>
        <source>Offline · stock figures may be out of date</source>
        <translation>Offline · stany magazynowe mogą być nieaktualne</translation>
    </message>
    <message>
        <source>No stock figures yet</source>
        <translation>Brak danych o stanach</translation>
    </message>
    <message>
        <source>%1 (this store)</source>
        <translation>%1 (ten sklep)</translation>
    </message>
    <message>
        <source>warehouse</source>
        <translation>magazyn</translation>
    </message>
    <message numerus="yes">
        <source>%n available</source>
        <translation>
            <numerusform>Dostępne: %n szt.</numerusform>
            <numerusform>Dostępne: %n szt.</numerusform>
            <numerusform>Dostępne: %n szt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Out of stock</source>
        <translation>Brak na stanie</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>stan na %1</translation>
    </message>
    <message>
        <source>Reviews in %1</source>
        <translation>Opinie w języku: %1</translation>
    </message>
    <message>
        <source>Loading reviews…</source>
        <translation>Wczytywanie opinii…</translation>
    </message>
    <message>
        <source>No reviews match these filters.</source>
        <translation>Żadna opinia nie spełnia tych kryteriów.</translation>
    </message>
    <message>
        <source>No reviews yet.</source>
        <translation>Nie ma jeszcze opinii.</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>%1–%2 z %3</translation>
    </message>
    <message>
        <source>1 review</source>
        <translation>1 opinia</translation>
    </message>
    <message numerus="yes">
        <source>%n reviews</source>
        <translation>
            <numerusform>%n opinia</numerusform>
            <numerusform>%n opinie</numerusform>
            <numerusform>%n opinii</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewDelegate</name>
    <message>
        <source>✓ Verified purchase</source>
        <translation>✓ Zweryfikowany zakup</translation>
    </message>
</context>
<context>
    <name>ReviewListModel</name>
    <message numerus="yes">
        <source>%n of 5 stars</source>
        <translation>
            <numerusform>%n na 5 gwiazdek</numerusform>
            <numerusform>%n na 5 gwiazdek</numerusform>
            <numerusform>%n na 5 gwiazdek</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatusView</name>
    <message>
        <source>Sync status</source>
        <translation>Stan synchronizacji</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Połączenie</translation>
    </message>
    <message>
        <source>Status message</source>
        <translation>Komunikat o stanie</translation>
    </message>
    <message>
        <source>Catalog download progress</source>
        <translation>Postęp pobierania katalogu</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>Ostatnia udana synchronizacja</translation>
    </message>
    <message>
        <source>Actions waiting to be sent</source>
        <translation>Działania oczekujące na wysłanie</translation>
    </message>
    <message>
        <source>Nothing waiting to send</source>
        <translation>Nic nie czeka na wysłanie</translation>
    </message>
    <message numerus="yes">
        <source>Waiting to send: %n</source>
        <translation>
            <numerusform>Czeka na wysłanie: %n</numerusform>
            <numerusform>Czeka na wysłanie: %n</numerusform>
            <numerusform>Czeka na wysłanie: %n</numerusform>
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
        <translation>● Łączenie…</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Jeszcze nie zsynchronizowano</translation>
    </message>
    <message>
        <source>Synced just now</source>
        <translation>Zsynchronizowano przed chwilą</translation>
    </message>
    <message numerus="yes">
        <source>Synced %n min ago</source>
        <translation>
            <numerusform>Zsynchronizowano %n min temu</numerusform>
            <numerusform>Zsynchronizowano %n min temu</numerusform>
            <numerusform>Zsynchronizowano %n min temu</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced %n h ago</source>
        <translation>
            <numerusform>Zsynchronizowano %n godz. temu</numerusform>
            <numerusform>Zsynchronizowano %n godz. temu</numerusform>
            <numerusform>Zsynchronizowano %n godz. temu</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced %n days ago</source>
        <translation>
            <numerusform>Zsynchronizowano %n dzień temu</numerusform>
            <numerusform>Zsynchronizowano %n dni temu</numerusform>
            <numerusform>Zsynchronizowano %n dni temu</numerusform>
        </translation>
    </message>
    <message>
        <source>Downloading the catalog… {percent}%</source>
        <translation>Pobieranie katalogu… {percent}%</translation>
    </message>
    <message>
        <source>paused while offline</source>
        <translation>wstrzymane w trybie offline</translation>
    </message>
    <message>
        <source>Working offline with the data from the last sync</source>
        <translation>Praca offline na danych z ostatniej synchronizacji</translation>
    </message>
    <message>
        <source>Waiting for the central system…</source>
        <translation>Oczekiwanie na system centralny…</translation>
    </message>
    <message>
        <source>Connecting to the central system…</source>
        <translation>Łączenie z systemem centralnym…</translation>
    </message>
    <message>
        <source>All data up to date</source>
        <translation>Wszystkie dane są aktualne</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Połączono</translation>
    </message>
    <message>
        <source>Starting the demo store server…</source>
        <translation>Uruchamianie serwera sklepu demonstracyjnego…</translation>
    </message>
    <message>
        <source>Creating the demo store (first start only)… {done} of {total} products</source>
        <translation>Tworzenie sklepu demonstracyjnego (tylko przy pierwszym uruchomieniu)… {done} z {total} produktów</translation>
    </message>
    <message>
        <source>The demo server could not start. The log file has the details.</source>
        <translation>Nie udało się uruchomić serwera demonstracyjnego. Szczegóły są w pliku dziennika.</translation>
    </message>
    <message>
        <source>Another copy of the app or kiosk-sync is using this data folder.</source>
        <translation>Z tego folderu danych korzysta inna kopia aplikacji lub kiosk-sync.</translation>
    </message>
    <message>
        <source>The data folder cannot be used. The log file has the details.</source>
        <translation>Nie można użyć folderu danych. Szczegóły są w pliku dziennika.</translation>
    </message>
    <message>
        <source>This device needs to be enrolled again. Ask a store manager.</source>
        <translation>To urządzenie wymaga ponownej rejestracji. Zwróć się do kierownika sklepu.</translation>
    </message>
    <message>
        <source>The central system refuses to sync with this device. Ask a store manager.</source>
        <translation>System centralny odmawia synchronizacji z tym urządzeniem. Zwróć się do kierownika sklepu.</translation>
    </message>
    <message>
        <source>The central system answered with an error. Trying again later.</source>
        <translation>System centralny zwrócił błąd. Ponowna próba nastąpi później.</translation>
    </message>
    <message>
        <source>Something went wrong and the screen was reset. The details are in the log.</source>
        <translation>Coś poszło nie tak i ekran został zresetowany. Szczegóły są w dzienniku.</translation>
    </message>
    <message numerus="yes">
        <source>about %n s left</source>
        <translation>
            <numerusform>pozostała ok. %n s</numerusform>
            <numerusform>pozostały ok. %n s</numerusform>
            <numerusform>pozostało ok. %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>pozostała ok. %n min</numerusform>
            <numerusform>pozostały ok. %n min</numerusform>
            <numerusform>pozostało ok. %n min</numerusform>
        </translation>
    </message>
</context>
</TS>
