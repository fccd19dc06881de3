policy-untitled = Құпиялылық саясаты
policy-header =
    <b>{ $title }</b>
    { $date } редакциясы · { $sections } бөлім

    Оқу үшін бөлімді таңдаңыз немесе толық мәтінді файл ретінде жүктеп алыңыз.
policy-fallback-note = <i>Бұл редакция қазақ тілінде жоқ — мәтін орыс тілінде көрсетілді.</i>
policy-preamble = Кіріспе
policy-page-header = <b>{ $section }</b> · { $date } редакциясы · { $page }/{ $pages } бет
policy-download-button = ⬇️ Толық мәтінді жүктеу
policy-toc-button = 📑 Мазмұны
policy-prev-page-button = ◀️ Артқа
policy-next-page-button = Әрі қарай ▶️
policy-prev-section-button = ⏮ Алдыңғы бөлім
policy-next-section-button = Келесі бөлім ⏭
policy-file-caption = { $operator } құпиялылық саясаты, { $date } редакциясы.
policy-scheduled-note = <i>Бұл редакция { $date } күнінен бастап күшіне енеді. Оған дейін { $current } күнгі редакция қолданылады.</i>
policy-consent-fallback-note = <i>Саясат қазақ тілінде жоқ: «Саясатты оқу» батырмасы оның орыс тіліндегі мәтінін ашады.</i>
