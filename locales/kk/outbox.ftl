# The outbox's notices to the operators (bot/scheduler.py), in OPERATOR_LANGUAGE.
outbox-parked =
    ⚠️ <b>№ { $number } өтініш бойынша хабар бұл чатқа жеткізілмеді</b>
    Не: { $what }
    Себебі (Telegram жауабы): { $reason }
    Әрекет саны: { $attempts }; бот оны енді жібермейді.
    Өтініштің толық мәтіні: /claim { $number }
outbox-parked-general =
    ⚠️ <b>Операторларға арналған хабар бұл чатқа жеткізілмеді</b>
    Не: { $what }
    Себебі (Telegram жауабы): { $reason }
    Әрекет саны: { $attempts }; бот оны енді жібермейді.
outbox-what-card = өтініш карточкасы
outbox-what-attachment = өтініш берушінің тіркемесі
outbox-what-message = «{ $preview }» хабары
outbox-attachment-unavailable = 📎 № { $number } өтінішке тіркеме енді қолжетімсіз: өтініш беруші оны жойған немесе оны көшіру мүмкін емес. Өтініштің қалған хабарлары әдеттегідей жеткізілді.
outbox-attachment-unavailable-general = 📎 Тіркеме енді қолжетімсіз: жіберуші оны жойған немесе оны көшіру мүмкін емес.
outbox-topics-unavailable = ⚠️ Боттың бұл чатта тақырыптарды басқару құқығы жоқ, сондықтан өтініштер мұнда жеке тақырыпсыз, кәдімгі карточка ретінде келеді. Әр өтініштің өз тақырыбы болуы үшін ботқа «Тақырыптарды басқару» құқығын беріп, оны қайта іске қосыңыз.
