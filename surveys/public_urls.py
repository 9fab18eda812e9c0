app_name = "public_surveys"

urlpatterns: list = []
