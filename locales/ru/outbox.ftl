# The outbox's notices to the operators (bot/scheduler.py), in OPERATOR_LANGUAGE.
outbox-parked =
    ⚠️ <b>Сообщение по обращению № { $number } не доставлено в этот чат</b>
    Что: { $what }
    Почему (ответ Telegram): { $reason }
    Попыток: { $attempts }; больше бот его не отправляет.
    Обращение целиком: /claim { $number }
outbox-parked-general =
    ⚠️ <b>Сообщение для операторов не доставлено в этот чат</b>
    Что: { $what }
    Почему (ответ Telegram): { $reason }
    Попыток: { $attempts }; больше бот его не отправляет.
outbox-what-card = карточка обращения
outbox-what-attachment = вложение заявителя
outbox-what-message = сообщение «{ $preview }»
outbox-attachment-unavailable = 📎 Вложение к обращению № { $number } больше недоступно: заявитель удалил его или его нельзя скопировать. Остальные сообщения обращения доставлены как обычно.
outbox-attachment-unavailable-general = 📎 Вложение больше недоступно: отправитель удалил его или его нельзя скопировать.
outbox-topics-unavailable = ⚠️ У бота нет права управлять темами в этом чате, поэтому обращения приходят сюда обычными карточками, без отдельных тем. Чтобы у каждого обращения была своя тема, дайте боту право «Управление темами» и перезапустите его.
