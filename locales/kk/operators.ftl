duration = { $days } к { $hours } сағ { $minutes } мин
op-topic-name = № { $number } · { $type }
op-card =
    { $icon } <b>№ { $number }</b> — { $type }
    { $state }
    Өтініш беруші: { $name } ({ $username }), id <code>{ $user_id }</code>
    Тілі: { $language }
    Тіркелді: { $registered } ({ $tz })
    Жауап беру мерзімі: { $due } ({ $days } { $kind ->
        [working] жұмыс к.
       *[calendar] күнт. к.
    }); { $left }
    Тіркемелер: { $attachments }

    Өтініш мәтіні — келесі хабарламада. Өтініштің карточкасына, мәтініне немесе тіркемесіне жауап беріңіз: бот оны өтініш берушіге түпкілікті жауап не аралық хабарлама ретінде жіберу керек пе, әлде ішкі жазба ретінде қалдыру керек пе деп сұрайды.
op-followup = ➕ <b>№ { $number } өтінішке толықтыру</b>, { $time }, тіркемелер: { $attachments }
op-reminder = ⏰ <b>№ { $number }</b> ({ $type }): жауап беру мерзімі — { $due }, { $left }. Өтініш берушіге әлі түпкілікті жауап берілмеген.
op-overdue = ❗ <b>№ { $number }</b> ({ $type }): жауап беру мерзімі — { $due }, { $overdue } күнге кешіктірілді. Өтініш берушіге әлі түпкілікті жауап берілмеген.
op-consent-withdrawn = 🚫 Пайдаланушы id <code>{ $user_id }</code> дербес деректерді өңдеуге келісімін кері қайтарып алды (уақыты: { $time }, жазба № { $record }). Ол көрсеткен аты-жөні, телефоны және e-mail жойылды, жарнама өшірілді.
op-take-button = 🙋 Алу
op-close-button = ✅ Жабу
op-reopen-button = ↩️ Ашу
op-history-button = 📜 Тарих
op-taken = № { $number } өтінішті { $operator } операторы қарауға алды.
op-refused = № { $number } өтініш дәлелді бас тартумен жабылды; себебі өтініш берушіге жіберілді.
op-reopened = № { $number } өтінішті { $operator } операторы қайта ашты.
op-status-unchanged = № { $number }: бұл әрекет мүмкін емес, қазіргі мәртебесі — { $status }.
op-not-found = Өтініш табылмады. Нөмірін көрсетіңіз, мысалы /claim 2026-0001, немесе өтініш хабарламасына жауап беріңіз.
op-refuse-usage = Бас тарту дәлелді болуы тиіс: өтініш хабарламасына /refuse командасы мен себебін жазып жауап беріңіз, мысалы «/refuse Деректер 01.03.2026 жойылған», немесе /refuse 2026-0001 себебі.
op-reply-not-a-claim = ℹ️ Бұл хабарлама ешбір өтінішке қатысты емес, сондықтан ешкімге жіберілмеді. Өтініш берушіге жауап беру үшін өтініш карточкасына, оның мәтініне немесе тіркемесіне жауап беріңіз (немесе өтініш тақырыбында жазыңыз).
op-user-blocked = ⚠️ № { $number } өтініш бойынша өтініш беруші ботты бұғаттаған: хабарлама жеткізілмеді. Онымен басқа жолмен байланысыңыз.
op-reply-failed = ⚠️ № { $number } өтініш бойынша өтініш берушіге хабарламаны жеткізу мүмкін болмады. Қайта көріңіз.
op-claims-empty = Ашық өтініштер жоқ.
op-claims-title = <b>Ашық өтініштер</b> ({ $count }), мерзімі бойынша:
op-overdue-empty = Мерзімі өткен өтініштер жоқ.
op-overdue-title = <b>Мерзімі өткен өтініштер</b> ({ $count }):
op-claims-line = № { $number } · { $type } · { $status } · мерзімі { $due } · { $left }
op-history-title =
    <b>№ { $number }</b> — { $type }
    Мәртебесі: { $status }
    Өтініш беруші: id <code>{ $user_id }</code>, тілі: { $language }
    Тіркелді: { $registered }
    Жауап беру мерзімі: { $due }; { $left }
op-history-taken = { $time } — { $operator } операторы қарауға алды
op-history-followup = { $time } — өтініш берушінің толықтыруы: { $text }
op-history-closed = { $time } — { $operator } операторы жапты
op-history-refusal = бас тарту себебі: { $reason }
op-history-media = [фото немесе файл]
op-stats =
    <b>Өтініштер статистикасы</b> (барлығы { $total })
    Тіркелді: { $registered }
    Қаралуда: { $in_progress }
    Жауап берілді: { $answered }
    Жабылды: { $closed }
    Мерзімі өтті: { $overdue }
    Алғашқы жауапқа дейінгі уақыттың медианасы: { $median }
    Мерзімінде жауап берілгені: { $on_time }
op-stats-none = деректер жоқ
op-stats-share = { $percent } % ({ $answered } / { $counted })
