policy-untitled = Политика конфиденциальности
policy-header =
    <b>{ $title }</b>
    Редакция от { $date } · { $sections ->
        [one] { $sections } раздел
        [few] { $sections } раздела
       *[many] { $sections } разделов
    }

    Выберите раздел, чтобы прочитать его, или скачайте полный текст файлом.
policy-fallback-note = <i>Этой редакции нет на русском языке — показан текст на казахском.</i>
policy-preamble = Вступление
policy-page-header = <b>{ $section }</b> · редакция от { $date } · стр. { $page } из { $pages }
policy-download-button = ⬇️ Скачать полный текст
policy-toc-button = 📑 Содержание
policy-prev-page-button = ◀️ Назад
policy-next-page-button = Далее ▶️
policy-prev-section-button = ⏮ Предыдущий раздел
policy-next-section-button = Следующий раздел ⏭
policy-file-caption = Политика конфиденциальности { $operator }, редакция от { $date }.
policy-scheduled-note = <i>Эта редакция вступит в силу { $date }. До этого действует редакция от { $current }.</i>
policy-consent-fallback-note = <i>Политики нет на русском языке: кнопка «Прочитать политику» откроет её текст на казахском.</i>
