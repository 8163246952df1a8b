app_name = "healthbook"
urlpatterns: list = []
