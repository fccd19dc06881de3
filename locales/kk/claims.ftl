menu-claim = 📝 Өтініш
cmd-claim = Шағым немесе деректер туралы сұрау беру
cmd-myclaims = Менің өтініштерім және оларға жауаптар

claim-type-claim = Жазбаша шағым (талап-арыз)
claim-type-access = Деректер туралы мәліметтерді сұрау
claim-type-change = Деректерді өзгерту немесе толықтыру туралы сұрау
claim-type-block = Деректерді бұғаттау туралы сұрау
claim-type-destroy = Деректерді жою туралы сұрау
claim-type-button-claim = 📝 Жазбаша шағым
claim-type-button-access = 🔍 Мен туралы қандай деректер сақталған
claim-type-button-change = ✏️ Деректерді өзгерту немесе толықтыру
claim-type-button-block = ⛔ Деректерді бұғаттау
claim-type-button-destroy = 🗑 Деректерді жою

claim-status-registered = тіркелді
claim-status-in_progress = қаралуда
claim-status-answered = жауап берілді
claim-status-closed = жабылды
claim-status-overdue = мерзімі өтті

claim-days-term = { $days } { $kind ->
    [working] жұмыс күні
   *[calendar] күнтізбелік күн
}
claim-left-days = { $left } күн қалды
claim-left-today = мерзім бүгін аяқталады
claim-left-overdue = мерзімі { $overdue } күн бұрын өтті

claim-choose-type = Не жібергіңіз келеді? Өтініш түрін таңдаңыз. Кез келген сәтте /cancel командасымен тоқтатуға болады.
claim-ask-text =
    <b>{ $type }</b>
    Заң немесе біздің саясат бойынша жауап беру мерзімі: тіркелген күннің келесі күнінен бастап { $term }.

    Өтініш мәтінін бір хабарламамен жазыңыз ({ $max } таңбаға дейін). Қажет болса, мәтіннен кейін фотосуреттер немесе құжаттар тіркеуге болады.
claim-text-empty = Өтініш мәтіні бос. Өтінішіңіздің мәнін жазыңыз.
claim-text-too-long = Мәтін тым ұзын: бір хабарламаға { $max } таңбадан артық сыймайды. Қысқартыңыз; толығырақ мәліметті мәтіннен кейін файл ретінде тіркеуге болады.
claim-media-only = Алдымен өтініш мәтінін жазыңыз: тек фото немесе файл бойынша не сұрап отырғаныңыз түсініксіз болады. Файлдарды келесі қадамда тіркей аласыз.
claim-text-expected = Өтініш мәтінін хабарлама ретінде жіберіңіз.
claim-ask-attachments = Мәтін қабылданды. Қаласаңыз, енді фотосуреттер немесе құжаттар жіберіңіз ({ $max } дейін), содан кейін «Жалғастыру» батырмасын басыңыз. Тіркейтін ештеңе болмаса, бірден «Жалғастыру» батырмасын басыңыз.
claim-attachment-added = Тіркеме қосылды ({ $max } ішінен { $count }). Тағы жіберіңіз немесе «Жалғастыру» батырмасын басыңыз.
claim-attachment-expected = Мәтін жазылып қойды. Фото немесе құжат жіберіңіз не «Жалғастыру» батырмасын басыңыз. Мәтінді өзгерту үшін өтінішті тоқтатып (/cancel), қайта бастаңыз.
claim-continue-button = ➡️ Жалғастыру
claim-confirm-button = ✅ Растау және жіберу
claim-summary =
    <b>Жібермес бұрын өтінішті тексеріңіз</b>
    Түрі: { $type }
    Тіркемелер: { $attachments }
    Жауап беру мерзімі: { $term }

    { $preview }

    Растағаннан кейін мәтінді өзгерту мүмкін болмайды, бірақ толықтыру жіберуге болады.
claim-registered =
    ✅ <b>Өтініш тіркелді</b>
    Нөмірі: <b>№ { $number }</b>
    Түрі: { $type }
    Тіркелген уақыты: { $time } ({ $tz })
    Жауап { $due } кешіктірілмей берілуі тиіс ({ $term }).

    Өтінішті қадағалау және жауаптарды алу: /myclaims.

myclaims-empty = Сізде әлі өтініш жоқ. Шағым немесе сұрау беру: /claim
myclaims-title = <b>Сіздің өтініштеріңіз</b> ({ $count })
myclaims-item =
    <b>№ { $number }</b> — { $type }
    Мәртебесі: { $status }
    Тіркелді: { $registered }
    Жауап беру мерзімі: { $due }{ $left }
myclaims-followup-button = ➕ № { $number } толықтыру
myclaims-page = { $page } / { $pages } бет
myclaims-line =
    <b>№ { $number }</b> — { $type }
    { $status }; жауап беру мерзімі: { $due }{ $left }
myclaims-open-button = 📄 № { $number }
myclaims-prev-button = ◀️ Артқа
myclaims-next-button = Әрі қарай ▶️
myclaims-back-button = ⬅️ Барлық өтініштер
myclaims-claim-page = <b>№ { $number }</b> · { $page } / { $pages } бет
myclaims-answer = 💬 <b>Жауап, { $time }</b>
myclaims-interim = 💬 <b>Аралық хабар, { $time }</b>
myclaims-media-note = (файл немесе фото чатыңызға жіберілді)
myclaims-continued = (жалғасы)
myclaims-refusal = ❌ <b>Бас тарту, { $time }</b>. Себебі:
myclaims-no-answers = Бұл өтініш бойынша әзірге жауап жоқ.

claim-cap-open = Қазір сіздің ашық өтініштеріңіз саны: { $limit }. Бір уақытта ашық өтініштердің ең көп саны осы. Біреуіне жауап күтіңіз немесе ашық өтінішті /myclaims арқылы толықтырыңыз.
claim-cap-daily = Тәулік ішінде берілетін өтініштер саны шектеулі: { $limit }. Келесісін { $time } ({ $tz }) бастап беруге болады. Берілген өтінішті /myclaims арқылы толықтыруға болады.
claim-cap-attachments = Бір өтінішке тіркелетін файлдар мен фотолардың саны шектеулі: { $limit }. Бұдан артық тіркеуге болмайды; қажет болса, қалғанын мәтінмен сипаттаңыз.
claim-cap-followups = Бір сағат ішінде жіберілетін толықтырулар саны шектеулі: { $limit }. Келесісін { $time } ({ $tz }) бастап жіберуге болады.

followup-ask = № { $number } өтінішке толықтыруды жазыңыз немесе фото не құжат жіберіңіз. Тоқтату: /cancel
followup-closed = № { $number } өтініш жабылған, оны толықтыруға болмайды. Жаңасын беріңіз: /claim
followup-saved = № { $number } өтінішке толықтыру { $time } ({ $tz }) қабылданып, операторларға жіберілді.
followup-empty = Толықтыру бос. Мәтін жазыңыз немесе фото не құжат жіберіңіз.

claim-reply-label = 💬 № { $number } өтініш бойынша оператордың жауабы:
claim-refused-user =
    ❌ № { $number } өтініш бойынша бас тарту туралы шешім қабылданды.
    Себебі: { $reason }

    { $appeal }
claim-closed-user = № { $number } өтініш жабылды. Рақмет! Ол бойынша жауаптар /myclaims бөлімінде сақталған.
claim-reopened-user = № { $number } өтініш қайтадан қаралуда.
