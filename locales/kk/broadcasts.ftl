bc-usage =
    Таратуды бастау үшін көшірмесін жіберу керек хабарламаға (мәтін, фото, құжат) /broadcast командасымен жауап беріңіз.
    Аудиторияны бірден көрсетуге болады: <code>/broadcast all</code>, <code>/broadcast ads</code>, <code>/broadcast policy</code>, <code>/broadcast incident</code> немесе <code>/broadcast incident 101 102</code> — инцидент туралы хабар тек осы пайдаланушыларға.
bc-choose-audience = <b>№ { $id } тарату</b>: бұл хабарламаның көшірмесін кімге жіберу керек?
bc-audience-all = Барлық пайдаланушыларға
bc-audience-policy = Саясаттың өзгергені туралы хабарлама
bc-audience-incident = Инцидент туралы хабарлама
bc-audience-ads = Жарнама (тек келісім бергендерге)
bc-audience-listed = тізім бойынша: { $count } пайдаланушы
bc-confirm =
    <b>№ { $id } тарату</b>
    Аудитория: { $audience }
    { $count } алушы, секундына { $rate } хабарламадан аспайды.
    Жіберейік пе?
bc-unknown-ids = Бот базасында жоқ (алмайды): { $ids }
bc-ads-note = Әр көшірменің астында «Жарнамадан бас тарту» батырмасы болады.
bc-policy-note = Әр көшірменің астында саясаттың жаңа редакциясын оқу және оны қабылдау батырмалары болады.
bc-paid-note = ⚡️ Telegram-ның ақылы таратуы (allow_paid_broadcast): жылдамдық әдеттегіден жоғары, тегін лимиттен асқан хабарламалар боттың жұлдыздарымен (Stars) төленеді.
bc-no-recipients = Алушылар жоқ: жіберетін ешкім жоқ.
bc-confirm-button = ▶️ Жіберу
bc-discard-button = ✖️ Жібермеу
bc-discarded = № { $id } тарату жіберілмеді.
bc-progress =
    <b>№ { $id } тарату</b> · { $audience }
    { $state }
    Жіберілді: { $total } ішінен { $sent }
    Қолжетімсіз (ботты бұғаттаған немесе аккаунтын жойған): { $unreachable }
    Қателер: { $failed }
    Қалды: { $remaining }
    Жылдамдық: { $rate } хабарлама/с · шамамен { $eta } қалды
bc-state-running = ⏳ Жіберіліп жатыр
bc-state-done = ✅ Аяқталды
bc-state-cancelled = ⏹ Тоқтатылды
bc-cancel-button = ⏹ Таратуды тоқтату
bc-cancel-numbered-button = ⏹ № { $id } таратуды тоқтату
bc-cancelled = № { $id } тарату тоқтатылды. Хабарламаны әлі алмағандарға ол жетпейді.
bc-not-running = Бұл тарату енді жүріп жатқан жоқ.
bc-report =
    <b>№ { $id } тарату қорытындысы</b> · { $audience } · { $state }
    Барлық алушы: { $total }
    Жеткізілді: { $sent }
    Жеткізілген болуы мүмкін (жіберу қайта іске қосумен үзілді): { $uncertain }
    Қолжетімсіз: { $unreachable }
    Қателер: { $failed }
    Өткізілді (жіберуге дейін жарнамадан бас тартқан): { $skipped }
    Жіберілмеді: { $remaining }
bc-report-reason = • { $reason }: { $count }
bc-list-title = <b>Соңғы таратулар</b>
bc-list-empty = Әзірге таратулар болған жоқ.
bc-list-line = № { $id } · { $time } · { $audience } · { $state } · { $total } ішінен { $sent }
bc-pause-outage = ⏸ Үзіліс: Telegram жауап бермейді ({ $error }). Келесі әрекет уақыты: { $time }; тарату өзі жалғасады, алушылар жоғалмайды.
bc-pause-flood = ⏸ Үзіліс: Telegram баяуырақ жіберуді сұрайды ({ $error }). Жалғасу уақыты: { $time }.
bc-report-duplicates = Үзілген жіберуден кейін қайта жіберілді (екі рет алуы мүмкін): { $count }
bc-retry-failed-button = 🔁 Қатемен аяқталған алушыларға қайта жіберу: { $count }
bc-retry-not-finished = Тек аяқталған таратуды қайталауға болады.
bc-retry-nothing = Бұл таратуда қатемен аяқталған алушылар жоқ.
bc-retry-started = Қатемен аяқталған алушыларға қайта жіберу: { $count }
bc-guarantee-legal = Заңдық маңызы бар хабарлама: жіберуді ақау немесе қайта іске қосу үзсе де, оны бәрі алады, бірақ кейбіреулер екі рет алуы мүмкін.
bc-guarantee-once = Жіберуді ақау немесе қайта іске қосу үзсе, хабарлама ешкімге екі рет келмейді, бірақ кейбір алушылар оны алмауы мүмкін.
